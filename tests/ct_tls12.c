/*
 * Constant-flow test of the TLS 1.2 secrets under valgrind memcheck: the master secret (plain
 * and extended) and key block from a secret pre-master secret, the Finished check against a
 * secret master secret (right and wrong verify_data: only the verdict may steer the flow), and
 * AEAD records (GCM with its explicit nonce, ChaCha20-Poly1305) sealed and opened under secret
 * keys, a damaged one included.
 */
#include <string.h>

#include "ctgrind.h"
#include "testutil.h"
#include "tls/keyschedule12.h"
#include "tls/record12.h"

static void keys(const tenon_hash_class *h)
{
    uint8_t pms[48], master[48], cr[32], sr[32], th[48];
    memset(pms, 0x42, sizeof pms);
    memset(cr, 1, 32), memset(sr, 2, 32), memset(th, 3, sizeof th);
    SECRET(pms, sizeof pms);
    int rc = tls12_master_secret(h, pms, sizeof pms, cr, sr, master, NULL);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    rc = tls12_extended_master_secret(h, pms, sizeof pms, th, h->digest_len, master, NULL);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    tls12_key_block kb;
    rc = tls12_key_block_derive(h, master, cr, sr, 32, 32, 16, &kb, NULL);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    uint8_t vd[12];
    rc = tls12_finished(h, master, 1, th, h->digest_len, vd, NULL);
    PUBLIC(&rc, sizeof rc);
    CHECK(rc == TENON_OK);
    for (int wrong = 0; wrong <= 1; wrong++) {
        vd[5] ^= (uint8_t)wrong;
        rc = tls12_finished_check(h, master, 1, th, h->digest_len, vd, 12, NULL);
        PUBLIC(&rc, sizeof rc);
        CHECK(rc == (wrong ? TENON_ERR_TLS_DECRYPT_ERROR : TENON_OK));
    }
    tls12_key_block_wipe(&kb);
}

static void records(tls12_aead_kind kind)
{
    static uint8_t rec[TLS_MAX_RECORD], content[1000];
    uint8_t key[32], iv[12];
    memset(key, 0x17, 32), memset(iv, 0x29, 12), memset(content, 0x61, sizeof content);
    SECRET(key, 32);
    SECRET(iv, 12);
    const tenon_aead_class *cls =
        kind == TLS12_AEAD_GCM ? tenon_aead_aes_gcm() : tenon_aead_chacha20_poly1305();
    size_t iv_len = kind == TLS12_AEAD_GCM ? 4 : 12, key_len = kind == TLS12_AEAD_GCM ? 16 : 32;
    for (int bad = 0; bad <= 1; bad++) {
        tls12_record_keys w, r;
        static tenon_aead_ctx wctx, rctx;
        int rc = tls12_record_keys_install(&w, &wctx, kind, cls, key, key_len, iv, iv_len);
        rc |= tls12_record_keys_install(&r, &rctx, kind, cls, key, key_len, iv, iv_len);
        PUBLIC(&rc, sizeof rc);
        CHECK(rc == TENON_OK);
        SECRET(content, sizeof content);
        size_t n;
        rc = tls12_seal_record(&w, 23, content, sizeof content, rec, sizeof rec, &n);
        PUBLIC(&rc, sizeof rc);
        CHECK(rc == TENON_OK);
        PUBLIC(rec, n); /* a ciphertext is public */
        rec[n - 1] ^= (uint8_t)bad;
        uint8_t type, *out;
        size_t out_len;
        rc = tls12_open_record(&r, rec, n, &type, &out, &out_len);
        PUBLIC(&rc, sizeof rc);
        CHECK(rc == (bad ? TENON_ERR_TLS_BAD_RECORD_MAC : TENON_OK));
        tls12_record_keys_wipe(&w);
        tls12_record_keys_wipe(&r);
    }
}

int main(void)
{
    keys(&tenon_sha256);
    keys(&tenon_sha384);
    records(TLS12_AEAD_GCM);
    records(TLS12_AEAD_CHACHA);
    return tu_finish("ct_tls12");
}
