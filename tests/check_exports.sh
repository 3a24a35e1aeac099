#!/bin/sh
# The shared library exports the public API and nothing else: every defined dynamic symbol
# starts with tenon_, and the public entry points are there.
set -eu
lib="$1"
# (A sanitizer build adds its own __odr_asan.* markers; they are not ours.)
syms=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^$' | grep -v '^__odr_asan' || true)
bad=$(printf '%s\n' "$syms" | grep -v '^tenon_' || true)
count=$(printf '%s\n' "$syms" | grep -c '^tenon_' || true)
fail=0
if [ -n "$bad" ]; then
    echo "FAIL: symbols outside the public API are exported:"; printf '  %s\n' $bad; fail=1
fi
for s in tenon_strerror tenon_aead_seal tenon_hash tenon_sha256 tenon_hmac tenon_hkdf_expand \
         tenon_tls12_prf tenon_aes_cbc_encrypt tenon_cpu_set_mask; do
    printf '%s\n' "$syms" | grep -qx "$s" || { echo "FAIL: $s is not exported"; fail=1; }
done
echo "check_exports: $count public symbols exported"
if [ $fail = 0 ]; then echo "check_exports: 2 passed, 0 failed"; else echo "check_exports: 0 passed, 1 failed"; fi
exit $fail
