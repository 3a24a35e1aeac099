/* PLACEHOLDER: replaced by the AES-NI implementation. */
#include "../common.h"
#include "aes.h"
#if TENON_X86_64
const aes_impl aes_x86ni_impl = {"aesni-placeholder", 0xffffffffu, NULL, NULL, NULL, NULL, NULL, NULL};
#endif
