/*
 * ChaCha20-Poly1305 (RFC 8439 §2.8): the construction shared by every implementation, and the
 * portable class built from the portable ChaCha20 and Poly1305.
 */
#include "chacha20poly1305.h"

#include "../common.h"
#include "aead_impls.h"
#include "chacha20.h"
#include "ct.h"

_Static_assert(sizeof(chacha20poly1305_state) <= TENON_AEAD_STATE_SIZE,
               "ChaCha20-Poly1305 state must fit tenon_aead_ctx");

/* Seal and open encrypt and authenticate this much at a time, so the ciphertext is still in L1
 * when the second pass reads it: the piece's input and output (16 KiB) fit the 32 KiB L1 of
 * the smallest x86 cores in use. Larger pieces mean fewer of the vector Poly1305's per-call
 * costs (broadcasting the powers, the last group's own powers, summing the lanes): on an Ice
 * Lake Xeon 8 KiB against 4 KiB took a 16 KiB seal from 0.71 to 0.65 TSC ticks per byte. A
 * multiple of 64, so every piece starts on a ChaCha20 block boundary. */
#define SEAL_CHUNK 8192
/* Open's buffer for its first piece in place: one sixteen-block batch of the AVX-512 code and
 * the four blocks it computes alongside, enough for a TLS record of 1 KiB of data (1,025 bytes
 * of plaintext) in one call. A multiple of 64, as SEAL_CHUNK. */
#define OPEN_BUF_LEN 1280

int chacha20poly1305_init(tenon_aead_ctx *ctx, const tenon_aead_class *cls, const uint8_t *key,
                          size_t key_len)
{
    ENSURE(ctx != NULL && key != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(key_len == 32, TENON_ERR_BAD_KEY_LENGTH); /* RFC 8439 §2.8: K_LEN = 32 */
    chacha20poly1305_state *st = (chacha20poly1305_state *)(void *)ctx->state;
    memcpy(st->key, key, 32);
    ctx->vtable = cls;
    return TENON_OK;
}

static int check_args(const uint8_t *nonce, size_t nonce_len, const uint8_t *aad, size_t aad_len,
                      const uint8_t *in, size_t in_len, const uint8_t *out, const uint8_t *tag)
{
    ENSURE(nonce_len == TENON_AEAD_NONCE_LEN, TENON_ERR_BAD_NONCE_LENGTH); /* N_MIN = N_MAX */
    ENSURE(nonce != NULL && tag != NULL, TENON_ERR_INVALID_ARGUMENT);
    ENSURE(aad != NULL || aad_len == 0, TENON_ERR_INVALID_ARGUMENT);
    ENSURE((in != NULL && out != NULL) || in_len == 0, TENON_ERR_INVALID_ARGUMENT);
    /* RFC 8439 §2.8 note 1: the 32-bit block counter allows 2^32 - 1 blocks after block 0. */
    ENSURE((uint64_t)in_len <= CHACHA20POLY1305_MAX_LEN, TENON_ERR_INVALID_ARGUMENT);
    return TENON_OK;
}

/* RFC 8439 §2.8: the data, then padding1/padding2 -- zeros up to a multiple of 16. */
static void poly_padded(const chacha20poly1305_ops *ops, poly1305_ctx *pc, const uint8_t *data,
                        size_t len)
{
    size_t whole = len / POLY1305_BLOCK_LEN;
    if (whole > 0)
        ops->poly1305_blocks(pc, data, whole);
    size_t rest = len % POLY1305_BLOCK_LEN;
    if (rest > 0) {
        uint8_t last[POLY1305_BLOCK_LEN] = {0};
        memcpy(last, data + whole * POLY1305_BLOCK_LEN, rest);
        ops->poly1305_blocks(pc, last, 1);
        tenon_wipe(last, sizeof last);
    }
}

/* RFC 8439 §2.8: the AAD and the first piece of ciphertext (n of len bytes) into a fresh
 * pc. Where the message is one piece and the class has a one-call MAC that takes these
 * lengths, that call, which absorbs the lengths too: returns 1 then, else 0. */
static int poly_start(const chacha20poly1305_ops *ops, poly1305_ctx *pc, const uint8_t *aad,
                      size_t aad_len, const uint8_t *ct, size_t n, size_t len)
{
    if (n == len && ops->poly1305_aead != NULL && ops->poly1305_aead(pc, aad, aad_len, ct, len))
        return 1;
    poly_padded(ops, pc, aad, aad_len);
    poly_padded(ops, pc, ct, n);
    return 0;
}

/* RFC 8439 §2.8: the AAD and ciphertext lengths as 64-bit little-endian integers, then the
 * tag. */
static void poly_finish(const chacha20poly1305_ops *ops, poly1305_ctx *pc, size_t aad_len,
                        size_t ct_len, uint8_t tag[16])
{
    uint8_t lens[16];
    store_le64(lens, (uint64_t)aad_len);
    store_le64(lens + 8, (uint64_t)ct_len);
    ops->poly1305_blocks(pc, lens, 1);
    poly1305_final(pc, tag);
}

/* ---- the stitched seal and open (ops->chacha20_batch_mac) ---- */

/* A stitched batch: 512 bytes. */
#define MAC_BATCH 512

/* RFC 8439 §2.8: the data and its padding into the radix-2^64 accumulator. */
static void poly_padded_r64(poly1305_r64 *p, const uint8_t *data, size_t len)
{
    size_t whole = len / POLY1305_BLOCK_LEN;
    poly1305_blocks_r64(p, data, whole);
    size_t rest = len % POLY1305_BLOCK_LEN;
    if (rest > 0) {
        uint8_t last[POLY1305_BLOCK_LEN] = {0};
        memcpy(last, data + whole * POLY1305_BLOCK_LEN, rest);
        poly1305_blocks_r64(p, last, 1);
        tenon_wipe(last, sizeof last);
    }
}

/* The one-time key (already in otk) to p and s, with the AAD absorbed. */
static void poly_start_r64(poly1305_r64 *p, uint64_t s[2], uint8_t otk[32], const uint8_t *aad,
                           size_t aad_len)
{
    poly1305_r64_key(p, s, otk);
    tenon_wipe(otk, 32);
    poly_padded_r64(p, aad, aad_len);
}

/* The lengths block and the tag; wipes p and s. */
static void poly_finish_r64(poly1305_r64 *p, uint64_t s[2], size_t aad_len, size_t ct_len,
                            uint8_t tag[16])
{
    uint8_t lens[16];
    store_le64(lens, (uint64_t)aad_len);
    store_le64(lens + 8, (uint64_t)ct_len);
    poly1305_blocks_r64(p, lens, 1);
    poly1305_r64_tag(p, s, tag);
    tenon_wipe(s, 2 * sizeof s[0]);
}

/* Seal. The MAC of a batch's ciphertext can only run beside the next batch (a batch's output
 * exists at its end), so the batches are laid out to leave little outside: the first is
 * counters 0..7, block 0 giving the one-time key and blocks 1..7 the first 448 bytes; batch k
 * is counters 8k..8k+7, bytes 512k - 64 .. 512k + 448; the rest (under 512 bytes) comes last,
 * with the last batch's MAC beside it. Batch 1 (or the rest) MACs the AAD's and the first
 * batch's 28 blocks, every other step the 32 blocks before. Messages shorter than the first
 * batch: block 0 and the message in one call, then the MAC. */
static __attribute__((noinline)) void seal_stitched(const chacha20poly1305_ops *ops,
                                                    const uint8_t *key, const uint8_t *nonce,
                                                    const uint8_t *aad, size_t aad_len,
                                                    const uint8_t *head, size_t split, uint8_t *out,
                                                    size_t len, uint8_t *tag)
{
    const size_t first = MAC_BATCH - CHACHA20_BLOCK_LEN;
    poly1305_r64 p;
    uint64_t s[2];
    uint8_t buf[MAC_BATCH];
    uint32_t st[16];
    if (len < first) {
        ops->chacha20_otk_tail(key, nonce, head, split, out, out, 0, len, buf);
        poly_start_r64(&p, s, buf, aad, aad_len);
        poly_padded_r64(&p, out, len);
        poly_finish_r64(&p, s, aad_len, len, tag);
        return;
    }
    size_t nb = 1 + (len - first) / MAC_BATCH;
    chacha20_setup(st, key, nonce, 0);
    if (split >= first) {
        /* Straight from head to out, block 0 to buf: no copies in and out of buf (Ice Lake,
         * least TSC ticks: a 1 KiB seal 2,000 -> 1,900, a 1,025-byte one 2,090 -> 1,980). */
        ops->chacha20_batch_otk(st, head, out, buf);
    } else {
        memset(buf, 0, CHACHA20_BLOCK_LEN);
        chacha20_gather(buf + CHACHA20_BLOCK_LEN, head, split, out, 0, first);
        ops->chacha20_batch_mac(st, buf, buf, NULL, NULL, 0);
        memcpy(out, buf + CHACHA20_BLOCK_LEN, first);
    }
    poly_start_r64(&p, s, buf, aad, aad_len);
    const uint8_t *mac = out;
    size_t nmac = first / POLY1305_BLOCK_LEN;
    for (size_t k = 1; k < nb; k++) {
        size_t o = k * MAC_BATCH - CHACHA20_BLOCK_LEN;
        const uint8_t *src = o + MAC_BATCH <= split ? head + o : o >= split ? out + o : NULL;
        if (src == NULL) {
            chacha20_gather(buf, head, split, out, o, MAC_BATCH);
            src = buf;
        }
        st[12] = (uint32_t)(8 * k);
        ops->chacha20_batch_mac(st, src, out + o, &p, mac, nmac);
        mac = out + o;
        nmac = MAC_BATCH / POLY1305_BLOCK_LEN;
    }
    /* The rest: n bytes from offset o, counters from 8 nb on. Which path runs depends on the
     * length only. */
    size_t o = nb * MAC_BATCH - CHACHA20_BLOCK_LEN, n = len - o;
    st[12] = (uint32_t)(8 * nb);
    chacha20_gather(buf, head, split, out, o, n);
    if (n > 4 * CHACHA20_BLOCK_LEN)
        ops->chacha20_batch_mac(st, buf, buf, &p, mac, nmac);
    else if (n > 0)
        ops->chacha20_rows_mac(st, buf, n, &p, mac, nmac);
    else
        poly1305_blocks_r64(&p, mac, nmac);
    memcpy(out + o, buf, n);
    poly_padded_r64(&p, out + o, n);
    poly_finish_r64(&p, s, aad_len, len, tag);
    tenon_wipe(buf, sizeof buf);
    tenon_wipe(st, sizeof st);
}

/* Open: block 0 and the tail first, the tail decrypted into a buffer (in place, its
 * ciphertext must stay until it is MACed), then the batches with their own ciphertext MACed
 * alongside, then the tail. Writes the tag computed to expected. */
static __attribute__((noinline)) void open_stitched(const chacha20poly1305_ops *ops,
                                                    const uint8_t *key, const uint8_t *nonce,
                                                    const uint8_t *aad, size_t aad_len,
                                                    const uint8_t *in, uint8_t *out, size_t len,
                                                    uint8_t expected[16])
{
    poly1305_r64 p;
    uint64_t s[2];
    uint8_t otk[32], buf[MAC_BATCH];
    uint32_t st[16];
    size_t nb = len / MAC_BATCH, off = nb * MAC_BATCH;
    ops->chacha20_otk_tail(key, nonce, in, len, in, buf, off, len, otk);
    poly_start_r64(&p, s, otk, aad, aad_len);
    chacha20_setup(st, key, nonce, 1);
    for (size_t b = 0; b < nb; b++, st[12] += MAC_BATCH / CHACHA20_BLOCK_LEN)
        ops->chacha20_batch_mac(st, in + b * MAC_BATCH, out + b * MAC_BATCH, &p, in + b * MAC_BATCH,
                                MAC_BATCH / POLY1305_BLOCK_LEN);
    poly_padded_r64(&p, in + off, len - off);
    poly_finish_r64(&p, s, aad_len, len, expected);
    if (len > off)
        memcpy(out + off, buf, len - off);
    tenon_wipe(buf, len - off);
    tenon_wipe(st, sizeof st);
}

/* The seal core (aead_impls.h): the plaintext below split is read from head, the rest from out
 * (in place); split is a multiple of 64 or the end. */
static int seal_core(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                     const uint8_t *nonce, size_t nonce_len, const uint8_t *aad, size_t aad_len,
                     const uint8_t *head, size_t split, uint8_t *out, size_t len, uint8_t *tag)
{
    GUARD(check_args(nonce, nonce_len, aad, aad_len, out, len, out, tag));
    ENSURE(split == 0 || head != NULL, TENON_ERR_INVALID_ARGUMENT);
    const chacha20poly1305_state *st = (const chacha20poly1305_state *)(const void *)ctx->state;
    poly1305_ctx pc;
    if (ops->chacha20_batch_mac != NULL) {
        seal_stitched(ops, st->key, nonce, aad, aad_len, head, split, out, len, tag);
        return TENON_OK;
    }

    /* RFC 8439 §2.8: encrypt with the counter starting at 1, and MAC the ciphertext. Pieces
     * before the last are multiples of 64 (SEAL_CHUNK, split), so only the last one can need
     * padding2 and each piece starts on a ChaCha20 block boundary. The one-time key (§2.6:
     * keystream block 0) comes with the first piece in one call, which reads both parts of
     * the plaintext, so that a record of one piece (a gather seal's content type after the
     * caller's data) is one call; then the AAD and that piece go to Poly1305 in their
     * order. */
    uint8_t otk[32];
    size_t done = len < SEAL_CHUNK ? len : SEAL_CHUNK;
    ops->chacha20_xor_otk(st->key, nonce, head, split, out, out, done, otk);
    poly1305_init(&pc, otk);
    tenon_wipe(otk, sizeof otk);
    if (poly_start(ops, &pc, aad, aad_len, out, done, len)) {
        poly1305_final(&pc, tag);
        return TENON_OK;
    }
    for (size_t n; done < len; done += n) {
        n = aead_split_piece(done, split, len, SEAL_CHUNK);
        ops->chacha20_xor(st->key, nonce, (uint32_t)(1 + done / CHACHA20_BLOCK_LEN),
                          aead_split_src(head, split, out, done), out + done, n);
        poly_padded(ops, &pc, out + done, n);
    }
    poly_finish(ops, &pc, aad_len, len, tag);
    return TENON_OK;
}

int chacha20poly1305_seal(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                          const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                          size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out,
                          uint8_t *tag)
{
    ENSURE((in != NULL && out != NULL) || in_len == 0, TENON_ERR_INVALID_ARGUMENT);
    return seal_core(ops, ctx, nonce, nonce_len, aad, aad_len, in, in_len, out, in_len, tag);
}

int chacha20poly1305_seal_split(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                                const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                size_t aad_len, const uint8_t *head, size_t head_len, uint8_t *out,
                                size_t total_len, uint8_t *tag)
{
    GUARD(aead_split_check(head, head_len, out, total_len));
    size_t split = aead_split_stage(head, head_len, out, CHACHA20_BLOCK_LEN);
    return seal_core(ops, ctx, nonce, nonce_len, aad, aad_len, head, split, out, total_len, tag);
}

/* Open's first piece: the one-time key and the first piece's keystream in one call, as in
 * seal. The ciphertext must reach Poly1305 before it is overwritten, so in place (in == out)
 * the piece is decrypted into a buffer first and copied out after the MAC has read it;
 * otherwise it is decrypted straight into out and Poly1305 reads in. Returns the piece's
 * length; *whole is poly_start's verdict (the lengths are in already). */
static size_t open_first(const chacha20poly1305_ops *ops, poly1305_ctx *pc, const uint8_t *key,
                         const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, uint8_t *out, size_t len, int *whole)
{
    uint8_t otk[32];
    size_t n;
    if (in != out) {
        n = len < SEAL_CHUNK ? len : SEAL_CHUNK;
        ops->chacha20_xor_otk(key, nonce, in, n, in, out, n, otk);
        poly1305_init(pc, otk);
        *whole = poly_start(ops, pc, aad, aad_len, in, n, len);
    } else {
        uint8_t plain[OPEN_BUF_LEN];
        n = len < sizeof plain ? len : sizeof plain;
        ops->chacha20_xor_otk(key, nonce, in, n, in, plain, n, otk);
        poly1305_init(pc, otk);
        *whole = poly_start(ops, pc, aad, aad_len, in, n, len);
        if (n > 0) /* in == out may be NULL then */
            memcpy(out, plain, n);
        tenon_wipe(plain, n);
    }
    tenon_wipe(otk, sizeof otk);
    return n;
}

int chacha20poly1305_open(const chacha20poly1305_ops *ops, const tenon_aead_ctx *ctx,
                          const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                          size_t aad_len, const uint8_t *in, size_t in_len, const uint8_t *tag,
                          uint8_t *out)
{
    GUARD(check_args(nonce, nonce_len, aad, aad_len, in, in_len, out, tag));
    const chacha20poly1305_state *st = (const chacha20poly1305_state *)(const void *)ctx->state;
    poly1305_ctx pc;
    uint8_t expected[16];

    /* RFC 8439 §2.8: Poly1305 runs on the AAD and the ciphertext. One pass in pieces of
     * SEAL_CHUNK, each MACed while it is still ciphertext and then decrypted while it is in
     * L1; the plaintext is wiped below if the tag turns out wrong. */
    int whole;
    if (ops->chacha20_batch_mac != NULL) {
        open_stitched(ops, st->key, nonce, aad, aad_len, in, out, in_len, expected);
    } else {
        size_t done = open_first(ops, &pc, st->key, nonce, aad, aad_len, in, out, in_len, &whole);
        if (whole) {
            poly1305_final(&pc, expected);
        } else {
            for (size_t n; done < in_len; done += n) {
                n = in_len - done < SEAL_CHUNK ? in_len - done : SEAL_CHUNK;
                poly_padded(ops, &pc, in + done, n);
                ops->chacha20_xor(st->key, nonce, (uint32_t)(1 + done / CHACHA20_BLOCK_LEN),
                                  in + done, out + done, n);
            }
            poly_finish(ops, &pc, aad_len, in_len, expected);
        }
    }

    /* RFC 8439 §4: a constant-time comparison, never memcmp. */
    uint32_t ok = ct_mask_memeq(expected, tag, sizeof expected);
    tenon_wipe(expected, sizeof expected);
    /* The verdict is public: the caller learns it from the return value. */
    ct_declassify(&ok, sizeof ok);
    if (ok == 0) {
        /* No unauthenticated plaintext is released (tenon_aead_class.open). */
        if (in_len > 0)
            tenon_wipe(out, in_len);
        return TENON_ERR_AUTH_FAILED;
    }
    return TENON_OK;
}

/* ---- the portable class ---- */

CHACHA20POLY1305_CLASS(chacha20poly1305_portable_class, "ChaCha20-Poly1305/portable", 0,
                       chacha20_xor_portable, poly1305_blocks_portable, chacha20_xor_portable_otk,
                       NULL, NULL, NULL, NULL, NULL);
