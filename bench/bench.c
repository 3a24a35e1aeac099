/* PLACEHOLDER benchmark: replaced by the side-by-side benchmark. */
#include <stdio.h>
#include "tenon/tenon.h"
int main(void)
{
    printf("tenon %s\n", tenon_version());
    return 0;
}
