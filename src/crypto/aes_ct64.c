/* PLACEHOLDER: replaced by the bitsliced implementation. */
#include "../common.h"
#include "aes.h"
const aes_impl aes_ct64_impl = {"ct64-placeholder", 0, NULL, NULL, NULL, NULL, NULL, NULL};
