/*
 * SHA-512 compression with the message schedule in 128-bit vector registers (AVX encoding,
 * SSSE3 shuffles) and the rounds in scalar registers with RORX (BMI2).
 *
 * The schedule (FIPS 180-4 §6.4.2 step 1) takes about a third of the work of the portable
 * code. Two consecutive words W(t), W(t+1) depend only on words at least two positions back,
 * so a 128-bit register computes them together: with the last sixteen words held as eight
 * pairs, W(t-16..t-15) is a pair, W(t-15..t-14) and W(t-7..t-6) straddle two pairs (one
 * ALIGNR each), and W(t-2..t-1) is the newest pair. W(t) + K(t) goes to a small stack array
 * that the scalar rounds read, sixteen rounds behind the schedule, so the vector and the
 * scalar units work side by side. On an AMD EPYC (Zen) this runs at about 1.18x the speed of
 * the same rounds with the scalar schedule (sha512.c compiled for BMI2) and 1.4x the baseline
 * build. The scalar rounds are the bottleneck, so the AVX2 variant below does not widen one
 * block's schedule but computes two blocks' schedules at once (the arrangement of OpenSSL's
 * sha512-avx2), which halves the vector work per block and leaves the second block's rounds
 * alone on the core. The rounds, shared by the three, are inline assembly (see RASM below). No
 * table lookups, no data-dependent branches.
 */
#include "../common.h"
#include "ct.h"
#include "sha2.h"

#if TENON_X86_64
#include <immintrin.h>

#define AVX_TARGET TENON_TARGET("avx,bmi2")

/* 64-bit lane rotations; a rotation by 8 is a byte shuffle. */
#define VROR(x, n) _mm_or_si128(_mm_srli_epi64((x), (n)), _mm_slli_epi64((x), 64 - (n)))
#define VSSIG0(x)                                                                                  \
    _mm_xor_si128(_mm_xor_si128(VROR((x), 1), _mm_shuffle_epi8((x), ror8)), _mm_srli_epi64((x), 7))
#define VSSIG1(x) _mm_xor_si128(_mm_xor_si128(VROR((x), 19), VROR((x), 61)), _mm_srli_epi64((x), 6))

/* Step s = base + k (base a multiple of 8, k a constant 0..7) makes the pair W(16 + 2s),
 * W(17 + 2s) in x[k] (which held W(2s), W(2s + 1)) and stores it plus its constants in wk. */
#define SCHED(base, k)                                                                             \
    do {                                                                                           \
        __m128i w15_ = _mm_alignr_epi8(x[((k) + 1) & 7], x[k], 8);                                 \
        __m128i w7_ = _mm_alignr_epi8(x[((k) + 5) & 7], x[((k) + 4) & 7], 8);                      \
        x[k] = _mm_add_epi64(_mm_add_epi64(x[k], VSSIG0(w15_)),                                    \
                             _mm_add_epi64(w7_, VSSIG1(x[((k) + 7) & 7])));                        \
        _mm_store_si128(                                                                           \
            (__m128i *)(wk + 16 + 2 * ((base) + (k))),                                             \
            _mm_add_epi64(x[k],                                                                    \
                          _mm_load_si128((const __m128i *)(sha512_k + 16 + 2 * ((base) + (k)))))); \
    } while (0)

/* FIPS 180-4 §4.1.3 and §6.4.2 step 3, as in sha512.c, with W(t) + K(t) read from the lvalue
 * WK(t). Maj is written as b ^ ((a ^ b) & (b ^ c)): the next round's b ^ c is this round's
 * a ^ b (the variables shift by one), so it is computed once and Maj costs two operations.
 * The variables are renamed rather than moved: the new e goes to d, the new a to h. */
#define ROR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define BSIG0(x) (ROR((x), 28) ^ ROR((x), 34) ^ ROR((x), 39))
#define BSIG1(x) (ROR((x), 14) ^ ROR((x), 18) ^ ROR((x), 41))

#if defined(__GNUC__) && !defined(TENON_SHA512_C_ROUNDS)
#define SHA512_ASM_ROUNDS 1
/* The rounds in inline assembly (GCC and clang). Compiled from the C below, GCC spends some
 * 24 ALU micro-ops and five register copies on a round; here a round is 22 ALU micro-ops, two
 * register copies (this core renames them away) and the load of W(t) + K(t) folded into an
 * ADD: with no three-operand XOR, Ch = g ^ (e & (f ^ g)) and the a ^ b that Maj and the next
 * round share each need one copy, and RORX (BMI2) leaves the rotated word in place. T1 is
 * built in h, which is free once its value has been added. On the Intel Xeon (Ice Lake) VM
 * this was measured on, independent ALU operations issue at only about 3 a cycle and the
 * rounds reach about 94% of that, so the micro-op count bounds them: alone they run 1-4%
 * faster than GCC's, the four-block code 1.5% faster (an order with each round's e half
 * ahead of the previous round's a half, and rounds in vector registers with VPTERNLOGQ,
 * 16 micro-ops on three ports, measured no faster). Nothing in it branches or indexes memory
 * by data: the addresses are constant offsets into the W + K array. */
#define RASM(a, b, c, d, e, f, g, h, x, y, w) RASMO(a, b, c, d, e, f, g, h, x, y, w "(%[wkp])")
/* The same with the memory operand of W(t) + K(t) given whole. */
#define RASMO(a, b, c, d, e, f, g, h, x, y, wop)                                                   \
    "addq " wop ", %[" #h "]\n\t" /* h + W(t) + K(t) */                                            \
    "movq %[" #f "], %[t0]\n\t"                                                                    \
    "xorq %[" #g "], %[t0]\n\t"                                                                    \
    "andq %[" #e "], %[t0]\n\t"                                                                    \
    "xorq %[" #g "], %[t0]\n\t" /* Ch(e, f, g) */                                                  \
    "addq %[t0], %[" #h "]\n\t"                                                                    \
    "rorxq $14, %[" #e "], %[t0]\n\t"                                                              \
    "rorxq $18, %[" #e "], %[t1]\n\t"                                                              \
    "xorq %[t1], %[t0]\n\t"                                                                        \
    "rorxq $41, %[" #e "], %[t1]\n\t"                                                              \
    "xorq %[t1], %[t0]\n\t"     /* Sigma1(e) */                                                    \
    "addq %[t0], %[" #h "]\n\t" /* T1 */                                                           \
    "movq %[" #a "], %[" #y "]\n\t"                                                                \
    "xorq %[" #b "], %[" #y "]\n\t" /* a ^ b, the next round's b ^ c */                            \
    "addq %[" #h "], %[" #d "]\n\t" /* the new e */                                                \
    "andq %[" #y "], %[" #x "]\n\t"                                                                \
    "xorq %[" #b "], %[" #x "]\n\t" /* Maj(a, b, c) */                                             \
    "addq %[" #x "], %[" #h "]\n\t"                                                                \
    "rorxq $28, %[" #a "], %[t0]\n\t"                                                              \
    "rorxq $34, %[" #a "], %[t1]\n\t"                                                              \
    "xorq %[t1], %[t0]\n\t"                                                                        \
    "rorxq $39, %[" #a "], %[t1]\n\t"                                                              \
    "xorq %[t1], %[t0]\n\t"     /* Sigma0(a) */                                                    \
    "addq %[t0], %[" #h "]\n\t" /* the new a */

/* The same round for a core with more ALUs (AMD's Zen 5), used for the rounds that run beside
 * the schedule (ROUNDS2W, ROUNDS2TW; the plain ROUNDS8 keep RASMO, which measured faster there,
 * and so does -O0). RASMO's chain from e to the new e is five operations long (Ch, then
 * T1 = h + Ch + Sigma1(e), then d + T1), and so is the chain from a to the new a, and on a core
 * that issues more than about four ALU operations a cycle that latency, not the operation count,
 * bounds the rounds. Here d + h + W(t) + K(t) is formed first, off the chain, and Ch and
 * Sigma1(e) are added to it in turn (four operations from e to the new e), and the new a is
 * the new e plus Maj(a, b, c) + Sigma0(a) - d, with Maj = (a & (b ^ c)) + (b & c) (the two terms
 * have no bit in common), whose b & c - d does not wait for a: four operations from a too, for
 * two more operations a round (24 ALU micro-ops). Rounds alone on Zen 5 (least of 3,000 runs of
 * 100 blocks): 5.37 -> 5.13 cycles a round; 16 KiB messages (least of 1,000): the AVX-512 code
 * 2.03-2.10 -> 1.87-1.89 ticks/B, the four-block AVX2 code 2.04-2.06 -> 1.98-2.01. It needs no
 * third temporary: Ch is built in y, which is free until the round's a ^ b, and Sigma1's second
 * and third rotations go there too once Ch is added. That leaves GCC one more register around
 * the statement (13 of its own, plus the W + K base), so the four-block code's schedule spills
 * fewer pointers (a block's loop: 81 -> 58 stack loads, 289 -> 243 register moves), and the
 * operations of e's chain come first, ahead of the off-chain b & c - d and h + W(t) + K(t), as
 * the scheduler picks the oldest ready operation: 16 KiB 2.09-2.13 -> 2.05-2.08 ticks/B, 1 KiB
 * (two-block code) 3.24-3.30 -> 3.04-3.06 (least of 1,000 and 5,000 runs, AVX-512 masked).
 * These rounds are bound by their operation count, not by the four-operation chains: with one
 * operation a round taken out (a wrong result, timing only) they run 2-4% faster. As RASMO, no
 * branch and no data-dependent address. */
#define RASMO_W(a, b, c, d, e, f, g, h, x, y, wop)                                                 \
    "rorxq $14, %[" #e "], %[t0]\n\t"                                                              \
    "movq %[" #f "], %[" #y "]\n\t"                                                                \
    "xorq %[" #g "], %[" #y "]\n\t"                                                                \
    "andq %[" #e "], %[" #y "]\n\t"                                                                \
    "movq %[" #b "], %[t1]\n\t"                                                                    \
    "andq %[" #c "], %[t1]\n\t"                                                                    \
    "subq %[" #d "], %[t1]\n\t"     /* (b & c) - d */                                              \
    "xorq %[" #g "], %[" #y "]\n\t" /* Ch(e, f, g) */                                              \
    "addq " wop ", %[" #h "]\n\t"   /* h + W(t) + K(t) */                                          \
    "addq %[" #h "], %[" #d "]\n\t"                                                                \
    "addq %[" #y "], %[" #d "]\n\t"                                                                \
    "rorxq $18, %[" #e "], %[" #y "]\n\t"                                                          \
    "xorq %[" #y "], %[t0]\n\t"                                                                    \
    "rorxq $41, %[" #e "], %[" #y "]\n\t"                                                          \
    "xorq %[" #y "], %[t0]\n\t" /* Sigma1(e) */                                                    \
    "addq %[t0], %[" #d "]\n\t" /* the new e, d + T1 */                                            \
    "rorxq $28, %[" #a "], %[" #h "]\n\t"                                                          \
    "rorxq $34, %[" #a "], %[t0]\n\t"                                                              \
    "xorq %[t0], %[" #h "]\n\t"                                                                    \
    "rorxq $39, %[" #a "], %[t0]\n\t"                                                              \
    "andq %[" #a "], %[" #x "]\n\t"                                                                \
    "movq %[" #a "], %[" #y "]\n\t"                                                                \
    "xorq %[" #b "], %[" #y "]\n\t" /* a ^ b, the next round's b ^ c */                            \
    "xorq %[t0], %[" #h "]\n\t"     /* Sigma0(a) */                                                \
    "addq %[" #x "], %[t1]\n\t"     /* Maj(a, b, c) - d */                                         \
    "addq %[" #d "], %[t1]\n\t"     /* T1 + Maj(a, b, c) */                                        \
    "addq %[t1], %[" #h "]\n\t"     /* the new a */

/* Eight rounds t..t+7 with W(t + i) + K(t + i) at byte offset (i / 2) ps + 8 (i % 2) from p
 * (the schedule stores pairs of words ps bytes apart); arr is the whole W + K array, so the
 * compiler orders the schedule's stores before the rounds' loads. bc holds b ^ c on entry and
 * on exit (an even number of rounds). */
#define ROUNDS8(p, ps, arr)                                                                        \
    do {                                                                                           \
        uint64_t ab_, t0_, t1_;                                                                    \
        __asm__(RASM(a, b, c, d, e, f, g, h, x, y, "0") RASM(h, a, b, c, d, e, f, g, y, x, "8")    \
                    RASM(g, h, a, b, c, d, e, f, x, y, "%c[stride]")                               \
                        RASM(f, g, h, a, b, c, d, e, y, x, "%c[stride]+8")                         \
                            RASM(e, f, g, h, a, b, c, d, x, y, "2*%c[stride]")                     \
                                RASM(d, e, f, g, h, a, b, c, y, x, "2*%c[stride]+8")               \
                                    RASM(c, d, e, f, g, h, a, b, x, y, "3*%c[stride]")             \
                                        RASM(b, c, d, e, f, g, h, a, y, x, "3*%c[stride]+8")       \
                : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(d), [e] "+r"(e), [f] "+r"(f),    \
                  [g] "+r"(g), [h] "+r"(h), [x] "+r"(bc), [y] "=&r"(ab_), [t0] "=&r"(t0_),         \
                  [t1] "=&r"(t1_)                                                                  \
                : [wkp] "r"(p), "m"(*(const uint64_t(*)[sizeof(arr) / 8])(arr)), [stride] "i"(ps)  \
                : "cc");                                                                           \
    } while (0)

/* Two rounds t, t + 1 (W + K at p and p + 8) of the variables A..H in that order: the eight
 * rounds above cut finer, so that the schedule's steps can go between every two rounds.
 * ROUNDS2T is the same for W + K words 32 bytes apart (the four-block AVX2 code's transposed
 * buffer, one word of each of four blocks per 32 bytes).
 *
 * When optimising, the two words are memory operands (ROUNDS2M, the second n1 words after the
 * first), so the compiler addresses them from the stack pointer or a base it already holds,
 * with no LEA per pair of rounds (the one- and two-block code: 1 KiB 2-3% faster, 16 KiB about
 * 1%). They are all the asm reads, so they alone order the schedule's stores of them before
 * it: arr goes unused, as a third memory operand took one register too many in a GCC build
 * with -fsanitize=address,undefined and frame pointers. The AVX-512 code kept the pointer in
 * a register (ROUNDS2R, ROUNDS2P with the second word at byte offset o1: 0.6-0.7% faster there
 * at 16 KiB on Ice Lake) until its rounds became RASMO_W's, which need one more register;
 * everything keeps it at -O0, where each memory operand takes an address
 * register of its own. */
/* Two rounds, R (RASMO or RASMO_W) each, with the two words as memory operands. */
#define ROUNDS2M_WITH(R, p, n1, arr, A, B, C, D, E, F, G, H)                                       \
    do {                                                                                           \
        uint64_t ab_, t0_, t1_;                                                                    \
        __asm__(R(a, b, c, d, e, f, g, h, x, y, "%[w0]") R(h, a, b, c, d, e, f, g, y, x, "%[w1]")  \
                : [a] "+r"(A), [b] "+r"(B), [c] "+r"(C), [d] "+r"(D), [e] "+r"(E), [f] "+r"(F),    \
                  [g] "+r"(G), [h] "+r"(H), [x] "+r"(bc), [y] "=&r"(ab_), [t0] "=&r"(t0_),         \
                  [t1] "=&r"(t1_)                                                                  \
                : [w0] "m"((p)[0]), [w1] "m"((p)[n1])                                              \
                : "cc");                                                                           \
    } while (0)
#define ROUNDS2M(p, n1, arr, A, B, C, D, E, F, G, H)                                               \
    ROUNDS2M_WITH(RASMO, p, n1, arr, A, B, C, D, E, F, G, H)
#define ROUNDS2P(p, o1, arr, A, B, C, D, E, F, G, H)                                               \
    do {                                                                                           \
        uint64_t ab_, t0_, t1_;                                                                    \
        __asm__(RASM(a, b, c, d, e, f, g, h, x, y, "0") RASM(h, a, b, c, d, e, f, g, y, x, o1)     \
                : [a] "+r"(A), [b] "+r"(B), [c] "+r"(C), [d] "+r"(D), [e] "+r"(E), [f] "+r"(F),    \
                  [g] "+r"(G), [h] "+r"(H), [x] "+r"(bc), [y] "=&r"(ab_), [t0] "=&r"(t0_),         \
                  [t1] "=&r"(t1_)                                                                  \
                : [wkp] "r"(p), "m"(*(const uint64_t(*)[sizeof(arr) / 8])(arr))                    \
                : "cc");                                                                           \
    } while (0)
#define ROUNDS2R(p, arr, A, B, C, D, E, F, G, H) ROUNDS2P(p, "8", arr, A, B, C, D, E, F, G, H)
/* ROUNDS2M with RASMO_W's rounds (one more temporary register; at -O0, where the pointer
 * takes a register too and the frame pointer another, they would need one more than there is,
 * and ROUNDS2TW is ROUNDS2T). */
#define ROUNDS2MW(p, n1, arr, A, B, C, D, E, F, G, H)                                              \
    ROUNDS2M_WITH(RASMO_W, p, n1, arr, A, B, C, D, E, F, G, H)
/* ROUNDS2MW's statement takes 13 general registers: only where the build (CMakeLists.txt)
 * vouches for them, a GCC build without sanitizers and without a frame pointer in this file,
 * does it run; elsewhere the W rounds are the plain ones. With 14 (before RASMO_W lost its
 * third temporary) clang's allocator gave up on it, and so did GCC under a sanitizer; with 13
 * both compile it, but those builds have not been measured with it. */
#if defined(TENON_SHA512_W_ROUNDS) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) &&     \
    !defined(__SANITIZE_THREAD__)
#define SHA512_W_ASM 1
#endif
#if defined(__OPTIMIZE__)
#define ROUNDS2(p, arr, A, B, C, D, E, F, G, H) ROUNDS2M(p, 1, arr, A, B, C, D, E, F, G, H)
#define ROUNDS2T(p, arr, A, B, C, D, E, F, G, H) ROUNDS2M(p, 4, arr, A, B, C, D, E, F, G, H)
#if !defined(SHA512_W_ASM)
#define ROUNDS2TW ROUNDS2T
#define ROUNDS2W ROUNDS2
#else
#define ROUNDS2TW(p, arr, A, B, C, D, E, F, G, H) ROUNDS2MW(p, 4, arr, A, B, C, D, E, F, G, H)
#define ROUNDS2W(p, arr, A, B, C, D, E, F, G, H) ROUNDS2MW(p, 1, arr, A, B, C, D, E, F, G, H)
#endif
#else
#define ROUNDS2 ROUNDS2R
#define ROUNDS2T(p, arr, A, B, C, D, E, F, G, H) ROUNDS2P(p, "32", arr, A, B, C, D, E, F, G, H)
#define ROUNDS2TW ROUNDS2T
#define ROUNDS2W ROUNDS2R
#endif
#else
/* The same rounds in C, for a compiler without GNU inline assembly. */
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define ROUND_C(a, b, c, d, e, f, g, h, wkt)                                                       \
    do {                                                                                           \
        uint64_t t1_ = (h) + BSIG1(e) + CH((e), (f), (g)) + (wkt);                                 \
        uint64_t ab_ = (a) ^ (b);                                                                  \
        (d) += t1_;                                                                                \
        (h) = t1_ + BSIG0(a) + ((b) ^ (ab_ & bc));                                                 \
        bc = ab_;                                                                                  \
    } while (0)
#define ROUNDS8(p, ps, arr)                                                                        \
    do {                                                                                           \
        ROUND_C(a, b, c, d, e, f, g, h, load_wk((p) + 0));                                         \
        ROUND_C(h, a, b, c, d, e, f, g, load_wk((p) + 1));                                         \
        ROUND_C(g, h, a, b, c, d, e, f, load_wk((p) + (ps) / 8));                                  \
        ROUND_C(f, g, h, a, b, c, d, e, load_wk((p) + (ps) / 8 + 1));                              \
        ROUND_C(e, f, g, h, a, b, c, d, load_wk((p) + 2 * (ps) / 8));                              \
        ROUND_C(d, e, f, g, h, a, b, c, load_wk((p) + 2 * (ps) / 8 + 1));                          \
        ROUND_C(c, d, e, f, g, h, a, b, load_wk((p) + 3 * (ps) / 8));                              \
        ROUND_C(b, c, d, e, f, g, h, a, load_wk((p) + 3 * (ps) / 8 + 1));                          \
    } while (0)
#define ROUNDS2(p, arr, A, B, C, D, E, F, G, H)                                                    \
    do {                                                                                           \
        ROUND_C(A, B, C, D, E, F, G, H, load_wk((p) + 0));                                         \
        ROUND_C(H, A, B, C, D, E, F, G, load_wk((p) + 1));                                         \
    } while (0)
#define ROUNDS2R ROUNDS2
#define ROUNDS2T(p, arr, A, B, C, D, E, F, G, H)                                                   \
    do {                                                                                           \
        ROUND_C(A, B, C, D, E, F, G, H, load_wk((p) + 0));                                         \
        ROUND_C(H, A, B, C, D, E, F, G, load_wk((p) + 4));                                         \
    } while (0)
#define ROUNDS2TW ROUNDS2T
#define ROUNDS2W ROUNDS2R
#endif

/* The 80 rounds of one block from the state st and the feed-forward (FIPS 180-4 §6.4.2 step
 * 4), with the schedule (SCHED) running alongside the first 64 when sched is 1, one step
 * between every two rounds and eight steps (sixteen words) ahead of them (steps bunched four
 * at a time before eight rounds measured 1.5-3% slower for the one- and two-block code).
 * When sched is 2 the steps are those of blocks further on (see the AVX-512 code) and one
 * goes between every eight rounds, eight in all. Sixteen rounds are a whole turn of the
 * variable names and of the schedule's eight registers, so the loops need no moves; they are
 * unrolled (a rolled loop measured 2-3% slower), and SCHED takes its register as the constant
 * k. */
#define BLOCK(sched, SCHED, WKP, ps, arr, R2)                                                      \
    do {                                                                                           \
        uint64_t a = st[0], b = st[1], c = st[2], d = st[3];                                       \
        uint64_t e = st[4], f = st[5], g = st[6], h = st[7];                                       \
        uint64_t bc = b ^ c;                                                                       \
        unsigned t_ = 0;                                                                           \
        if ((sched) == 1) {                                                                        \
            _Pragma("GCC unroll 8") for (; t_ < 64; t_ += 16)                                      \
            {                                                                                      \
                SCHED(t_ / 2, 0);                                                                  \
                R2(WKP(t_ + 0), arr, a, b, c, d, e, f, g, h);                                      \
                SCHED(t_ / 2, 1);                                                                  \
                R2(WKP(t_ + 2), arr, g, h, a, b, c, d, e, f);                                      \
                SCHED(t_ / 2, 2);                                                                  \
                R2(WKP(t_ + 4), arr, e, f, g, h, a, b, c, d);                                      \
                SCHED(t_ / 2, 3);                                                                  \
                R2(WKP(t_ + 6), arr, c, d, e, f, g, h, a, b);                                      \
                SCHED(t_ / 2, 4);                                                                  \
                R2(WKP(t_ + 8), arr, a, b, c, d, e, f, g, h);                                      \
                SCHED(t_ / 2, 5);                                                                  \
                R2(WKP(t_ + 10), arr, g, h, a, b, c, d, e, f);                                     \
                SCHED(t_ / 2, 6);                                                                  \
                R2(WKP(t_ + 12), arr, e, f, g, h, a, b, c, d);                                     \
                SCHED(t_ / 2, 7);                                                                  \
                R2(WKP(t_ + 14), arr, c, d, e, f, g, h, a, b);                                     \
            }                                                                                      \
        } else if ((sched) == 2) {                                                                 \
            _Pragma("GCC unroll 4") for (; t_ < 64; t_ += 16)                                      \
            {                                                                                      \
                SCHED(t_ / 8, 0);                                                                  \
                R2(WKP(t_ + 0), arr, a, b, c, d, e, f, g, h);                                      \
                R2(WKP(t_ + 2), arr, g, h, a, b, c, d, e, f);                                      \
                R2(WKP(t_ + 4), arr, e, f, g, h, a, b, c, d);                                      \
                R2(WKP(t_ + 6), arr, c, d, e, f, g, h, a, b);                                      \
                SCHED(t_ / 8, 1);                                                                  \
                R2(WKP(t_ + 8), arr, a, b, c, d, e, f, g, h);                                      \
                R2(WKP(t_ + 10), arr, g, h, a, b, c, d, e, f);                                     \
                R2(WKP(t_ + 12), arr, e, f, g, h, a, b, c, d);                                     \
                R2(WKP(t_ + 14), arr, c, d, e, f, g, h, a, b);                                     \
            }                                                                                      \
        }                                                                                          \
        _Pragma("GCC unroll 8") for (; t_ < 80; t_ += 16)                                          \
        {                                                                                          \
            ROUNDS8(WKP(t_), ps, arr);                                                             \
            ROUNDS8(WKP(t_ + 8), ps, arr);                                                         \
        }                                                                                          \
        st[0] += a;                                                                                \
        st[1] += b;                                                                                \
        st[2] += c;                                                                                \
        st[3] += d;                                                                                \
        st[4] += e;                                                                                \
        st[5] += f;                                                                                \
        st[6] += g;                                                                                \
        st[7] += h;                                                                                \
    } while (0)

#ifndef SHA512_ASM_ROUNDS
/* Reads *p with a load instruction. Left to itself, GCC forwards the vector schedule's stores
 * to the scalar rounds with VMOVQ/VPEXTRQ, ALU micro-ops on the ports the rounds need, where
 * a load uses none of them (2-3% faster on an Intel Xeon with AVX-512, in a noisy run). */
static inline uint64_t load_wk(const uint64_t *p)
{
#if defined(__GNUC__)
    uint64_t v;
    __asm__("movq %1, %0" : "=r"(v) : "m"(*p));
    return v;
#else
    return *p;
#endif
}
#endif

#define WK1(t) (wk + (t))

AVX_TARGET static void sha512_blocks_avx(uint64_t st[8], const uint8_t *p, size_t nblocks)
{
    /* Big-endian 64-bit words: reverse the bytes of each lane. */
    const __m128i bswap = _mm_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    /* Byte i of a lane takes byte i + 1: a right rotation by 8 bits. */
    const __m128i ror8 = _mm_set_epi8(8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1);
    _Alignas(16) uint64_t wk[80];
    __m128i x[8];

    while (nblocks-- > 0) {
        for (int i = 0; i < 8; i++) {
            x[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
            _mm_store_si128(
                (__m128i *)(wk + 2 * i),
                _mm_add_epi64(x[i], _mm_load_si128((const __m128i *)(sha512_k + 2 * i))));
        }
        BLOCK(1, SCHED, WK1, 16, wk, ROUNDS2);
        p += 128;
    }
    /* W(t) + K(t) reveals the message, which may be a secret (an HMAC key block). */
    tenon_wipe(wk, sizeof wk);
}

const sha512_impl sha512_x86avx_impl = {
    "x86-avx-bmi2",
    TENON_CPU_AVX | TENON_CPU_BMI2,
    sha512_blocks_avx,
};
/* ---- Two blocks at a time: the AVX2 variant ----
 *
 * With 256-bit registers the schedule of two consecutive blocks is computed at once: the low
 * 128-bit half of each register holds a pair of words of the first block, the high half the
 * same pair of the second (ALIGNR and the byte shuffles work within halves, so the halves do
 * not mix). The rounds of the first block run with that schedule beside them; those of the
 * second then only read theirs from wk2, so the vector work per block is halved and the
 * second block's rounds run undisturbed. An odd last block goes to the one-block code. */

#define AVX2_TARGET TENON_TARGET("avx2,bmi2")

#define YROR(x, n) _mm256_or_si256(_mm256_srli_epi64((x), (n)), _mm256_slli_epi64((x), 64 - (n)))
#define YSSIG0(x)                                                                                  \
    _mm256_xor_si256(_mm256_xor_si256(YROR((x), 1), _mm256_shuffle_epi8((x), yror8)),              \
                     _mm256_srli_epi64((x), 7))
#define YSSIG1(x)                                                                                  \
    _mm256_xor_si256(_mm256_xor_si256(YROR((x), 19), YROR((x), 61)), _mm256_srli_epi64((x), 6))

/* Both blocks' K(t), K(t + 1) (t even). */
#define YK(t) _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(sha512_k + (t))))

/* SCHED for both blocks: pair s of words 16.. goes to wk2[4 (8 + s) ..], the first block's
 * two words then the second's. */
#define SCHED2(base, k)                                                                            \
    do {                                                                                           \
        __m256i w15_ = _mm256_alignr_epi8(y[((k) + 1) & 7], y[k], 8);                              \
        __m256i w7_ = _mm256_alignr_epi8(y[((k) + 5) & 7], y[((k) + 4) & 7], 8);                   \
        y[k] = _mm256_add_epi64(_mm256_add_epi64(y[k], YSSIG0(w15_)),                              \
                                _mm256_add_epi64(w7_, YSSIG1(y[((k) + 7) & 7])));                  \
        _mm256_store_si256((__m256i *)(wk2 + 4 * (8 + (base) + (k))),                              \
                           _mm256_add_epi64(y[k], YK(16 + 2 * ((base) + (k)))));                   \
    } while (0)

#define WKA(t) (wk2 + 4 * ((t) / 2))
#define WKB(t) (wk2 + 4 * ((t) / 2) + 2)

AVX2_TARGET static void sha512_blocks_avx2(uint64_t st[8], const uint8_t *p, size_t nblocks)
{
    const __m256i bswap = _mm256_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                          9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i yror8 = _mm256_set_epi8(8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1, 8,
                                          15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1);
    _Alignas(32) uint64_t wk2[160];
    __m256i y[8];

    for (; nblocks >= 2; nblocks -= 2, p += 256) {
        for (int i = 0; i < 8; i++) {
            __m256i two = _mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(p + 16 * i))),
                _mm_loadu_si128((const __m128i *)(p + 128 + 16 * i)), 1);
            y[i] = _mm256_shuffle_epi8(two, bswap);
            _mm256_store_si256((__m256i *)(wk2 + 4 * i), _mm256_add_epi64(y[i], YK(2 * i)));
        }
        BLOCK(1, SCHED2, WKA, 32, wk2, ROUNDS2W);
        BLOCK(0, SCHED2, WKB, 32, wk2, ROUNDS2W);
    }
    if (nblocks > 0)
        sha512_blocks_avx(st, p, nblocks);
    /* As in sha512_blocks_avx: wk2 reveals the message. */
    tenon_wipe(wk2, sizeof wk2);
}

const sha512_impl sha512_x86avx2_impl = {
    "x86-avx2-2block",
    TENON_CPU_AVX2 | TENON_CPU_BMI2,
    sha512_blocks_avx2,
};
/* ---- Four blocks at a time: the AVX-512 variant ----
 *
 * The same arrangement in 512-bit registers: 128-bit lane j of each register holds a pair of
 * words of block j, so one schedule step serves four blocks (VPALIGNR and VPSHUFB work within
 * 128-bit lanes, as in AVX2). AVX-512 makes the step itself cheaper too: VPRORQ rotates in
 * one instruction where AVX2 needs two shifts and an OR, and VPTERNLOGQ XORs three values in
 * one, so sigma0 and sigma1 are four instructions each instead of seven and nine.
 *
 * From eight blocks on, the schedule runs a group of four blocks ahead of the rounds: while
 * the rounds of one group read their W + K from one half of wk4, the schedule of the next
 * group goes to the other, one step every eight rounds through the first 64 rounds of each
 * of the four blocks (the first group's schedule is computed before any round). The scalar
 * rounds are the bottleneck; the 32 steps bunched beside the first block's rounds, one every
 * two rounds, slowed those rounds more than the same steps spread thinly over four blocks do
 * (16 KiB: 3.4% faster on the Ice Lake VM, min of 800 runs). For four to seven blocks the
 * schedule runs beside the first block's rounds and the other three blocks read theirs from
 * wk4. Fewer than four blocks left go to the two-block and one-block code. (The same
 * arrangement for the AVX2 code, a pair of blocks ahead, one step every four rounds, measured
 * within 1% of the code below at 16 KiB and 1-2% slower at 1 KiB: its steps have 22 vector
 * instructions, not 14, and the vector and scalar instructions share Ice Lake's ports.) */

#define AVX512_TARGET TENON_TARGET("avx512f,avx512vl,avx512bw,bmi2")

/* x ^ y ^ z in one instruction (truth table 0x96). */
#define ZXOR3(x, y, z) _mm512_ternarylogic_epi64((x), (y), (z), 0x96)
#define ZSSIG0(x)                                                                                  \
    ZXOR3(_mm512_ror_epi64((x), 1), _mm512_ror_epi64((x), 8), _mm512_srli_epi64((x), 7))
#define ZSSIG1(x)                                                                                  \
    ZXOR3(_mm512_ror_epi64((x), 19), _mm512_ror_epi64((x), 61), _mm512_srli_epi64((x), 6))

/* All four blocks' K(t), K(t + 1) from kp = sha512_k + t (t even). */
#define ZK(kp) _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)(kp)))

/* Step s (a constant after unrolling) of a group's schedule: z[s % 8], which held the pair of
 * words 2s, 2s + 1 of the four blocks, becomes words 16 + 2s, 17 + 2s, stored plus their
 * constants (from kp) at dst, block j's two words at 2j. */
#define ZSTEP(s, dst, kp)                                                                          \
    do {                                                                                           \
        __m512i w15_ = _mm512_alignr_epi8(z[((s) + 1) & 7], z[(s)&7], 8);                          \
        __m512i w7_ = _mm512_alignr_epi8(z[((s) + 5) & 7], z[((s) + 4) & 7], 8);                   \
        z[(s)&7] = _mm512_add_epi64(_mm512_add_epi64(z[(s)&7], ZSSIG0(w15_)),                      \
                                    _mm512_add_epi64(w7_, ZSSIG1(z[((s) + 7) & 7])));              \
        _mm512_store_si512((__m512i *)(dst), _mm512_add_epi64(z[(s)&7], ZK(kp)));                  \
    } while (0)

/* The four blocks at p into z, and W(t) + K(t) of their words 0..15 into w. */
#define ZLOAD(p, w)                                                                                \
    do {                                                                                           \
        for (int i_ = 0; i_ < 8; i_++) {                                                           \
            __m512i four_ =                                                                        \
                _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)((p) + 16 * i_)));         \
            four_ = _mm512_inserti32x4(                                                            \
                four_, _mm_loadu_si128((const __m128i *)((p) + 128 + 16 * i_)), 1);                \
            four_ = _mm512_inserti32x4(                                                            \
                four_, _mm_loadu_si128((const __m128i *)((p) + 256 + 16 * i_)), 2);                \
            four_ = _mm512_inserti32x4(                                                            \
                four_, _mm_loadu_si128((const __m128i *)((p) + 384 + 16 * i_)), 3);                \
            z[i_] = _mm512_shuffle_epi8(four_, bswap);                                             \
            _mm512_store_si512((__m512i *)((w) + 8 * i_),                                          \
                               _mm512_add_epi64(z[i_], ZK(sha512_k + 2 * i_)));                    \
        }                                                                                          \
    } while (0)

/* SCHED for the group whose schedule is at w0 (step base + k to w0[8 (8 + base + k) ..]),
 * and for the next group while the rounds run (sched 2): block j's share into nw. */
#define SCHED4(base, k)                                                                            \
    ZSTEP((base) + (k), w0 + 8 * (8 + (base) + (k)), sha512_k + 16 + 2 * ((base) + (k)))
#define SCHED4N(base, k) ZSTEP((base) + (k), nw + 8 * (8 + (base) + (k)), nk + 2 * ((base) + (k)))

/* W(t) + K(t) of the first block of the group at w0, and of block j of the group in cur. */
#define WK4A(t) (w0 + 8 * ((t) / 2))
#define WK4C(t) (cw + 8 * ((t) / 2))

AVX512_TARGET static void sha512_blocks_avx512(uint64_t st[8], const uint8_t *p, size_t nblocks)
{
    const __m512i bswap =
        _mm512_broadcast_i32x4(_mm_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
    _Alignas(64) uint64_t wk4[2][320];
    uint64_t *w0 = wk4[0], *cur = wk4[0], *nxt = wk4[1];
    unsigned first = 0; /* the first block of the last group still to run without a schedule */
    __m512i z[8];

    if (nblocks >= 8) {
        ZLOAD(p, cur);
        for (unsigned base = 0; base < 32; base += 8) {
            SCHED4(base, 0);
            SCHED4(base, 1);
            SCHED4(base, 2);
            SCHED4(base, 3);
            SCHED4(base, 4);
            SCHED4(base, 5);
            SCHED4(base, 6);
            SCHED4(base, 7);
        }
        for (; nblocks >= 8; nblocks -= 4, p += 512) {
            ZLOAD(p + 512, nxt);
            _Pragma("GCC unroll 1") for (unsigned j = 0; j < 4; j++)
            {
                const uint64_t *cw = cur + 2 * j;
                uint64_t *nw = nxt + 64 * j;
                const uint64_t *nk = sha512_k + 16 + 16 * j;
                BLOCK(2, SCHED4N, WK4C, 64, wk4, ROUNDS2W);
            }
            uint64_t *tmp = cur;
            cur = nxt;
            nxt = tmp;
        }
    } else if (nblocks >= 4) {
        ZLOAD(p, w0);
        BLOCK(1, SCHED4, WK4A, 64, wk4, ROUNDS2W);
        first = 1;
    }
    if (nblocks >= 4) {
        _Pragma("GCC unroll 1") for (unsigned j = first; j < 4; j++)
        {
            const uint64_t *cw = cur + 2 * j;
            BLOCK(0, SCHED4, WK4C, 64, wk4, ROUNDS2W);
        }
        nblocks -= 4;
        p += 512;
    }
    if (nblocks > 0)
        sha512_blocks_avx2(st, p, nblocks);
    /* As in sha512_blocks_avx: wk4 reveals the message. */
    tenon_wipe(wk4, sizeof wk4);
}

const sha512_impl sha512_x86avx512_impl = {
    "x86-avx512-4block",
    TENON_CPU_AVX512F | TENON_CPU_AVX512VL | TENON_CPU_AVX512BW | TENON_CPU_AVX2 | TENON_CPU_BMI2,
    sha512_blocks_avx512,
};
/* ---- Four blocks at a time in AVX2, transposed ----
 *
 * For a CPU with AVX2 but not AVX-512 (the AMD EPYC kind), the four-block arrangement with
 * the words transposed: 64-bit lane j of a 256-bit register holds one word of block j, so a
 * schedule step makes one word W(t) of four blocks and sigma0/sigma1 need no VPALIGNR to
 * gather their words (each word sits alone in its lane): 20 vector operations per step, 5 a
 * word of a block, against 22 for two words of two blocks in the two-block code. The words
 * W(t) go to wt (the schedule reads W(t - 16), W(t - 15), W(t - 7) and W(t - 2) back from
 * there; sixteen words of four blocks would take every ymm register) and W(t) + K(t) to a
 * W + K buffer in round order, word t of block j at 4t + j, which the rounds read 32 bytes
 * apart (ROUNDS2T). As in the AVX-512 code, the schedule of the next group of four blocks
 * runs while the rounds of the current group read the other half of the double buffer: one
 * step every four rounds through the first 64 rounds of each block, sixteen steps a block;
 * the first group's schedule is computed before any round, the last group's rounds run
 * alone. Blocks left over after the groups of four go to the two-block and one-block code. The
 * rounds are RASMO_W's, with the shorter chains, for the wider AMD cores this code is for. */

/* W(t) and W(t) + K(t) of the four blocks at p (t = 0..15) into w and wk: a 4 x 4 transpose
 * of 64-bit words per four words. */
#define TLOAD(p, w, wk)                                                                            \
    do {                                                                                           \
        for (int i_ = 0; i_ < 4; i_++) {                                                           \
            __m256i r0_ =                                                                          \
                _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)((p) + 32 * i_)), bswap);  \
            __m256i r1_ = _mm256_shuffle_epi8(                                                     \
                _mm256_loadu_si256((const __m256i *)((p) + 128 + 32 * i_)), bswap);                \
            __m256i r2_ = _mm256_shuffle_epi8(                                                     \
                _mm256_loadu_si256((const __m256i *)((p) + 256 + 32 * i_)), bswap);                \
            __m256i r3_ = _mm256_shuffle_epi8(                                                     \
                _mm256_loadu_si256((const __m256i *)((p) + 384 + 32 * i_)), bswap);                \
            __m256i lo01_ = _mm256_unpacklo_epi64(r0_, r1_),                                       \
                    hi01_ = _mm256_unpackhi_epi64(r0_, r1_);                                       \
            __m256i lo23_ = _mm256_unpacklo_epi64(r2_, r3_),                                       \
                    hi23_ = _mm256_unpackhi_epi64(r2_, r3_);                                       \
            __m256i v_[4] = {_mm256_permute2x128_si256(lo01_, lo23_, 0x20),                        \
                             _mm256_permute2x128_si256(hi01_, hi23_, 0x20),                        \
                             _mm256_permute2x128_si256(lo01_, lo23_, 0x31),                        \
                             _mm256_permute2x128_si256(hi01_, hi23_, 0x31)};                       \
            for (int k_ = 0; k_ < 4; k_++) {                                                       \
                _mm256_store_si256((__m256i *)((w) + 4 * (4 * i_ + k_)), v_[k_]);                  \
                _mm256_store_si256(                                                                \
                    (__m256i *)((wk) + 4 * (4 * i_ + k_)),                                         \
                    _mm256_add_epi64(v_[k_],                                                       \
                                     _mm256_set1_epi64x((long long)sha512_k[4 * i_ + k_])));       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* FIPS 180-4 §6.2.2 step 1 for word t (16..79) of four blocks from W(t - 2) in w2 and the
 * older words in w: W(t) into w and returned, W(t) + K(t) into wk. sigma1's input, the newest
 * word, is added last. */
#define TSTEPV(t, w, wk, w2)                                                                       \
    __extension__({                                                                                \
        __m256i n_ =                                                                               \
            _mm256_add_epi64(_mm256_load_si256((const __m256i *)((w) + 4 * ((t)-16))),             \
                             YSSIG0(_mm256_load_si256((const __m256i *)((w) + 4 * ((t)-15)))));    \
        n_ = _mm256_add_epi64(n_, _mm256_load_si256((const __m256i *)((w) + 4 * ((t)-7))));        \
        n_ = _mm256_add_epi64(n_, YSSIG1(w2));                                                     \
        _mm256_store_si256((__m256i *)((w) + 4 * (t)), n_);                                        \
        _mm256_store_si256((__m256i *)((wk) + 4 * (t)),                                            \
                           _mm256_add_epi64(n_, _mm256_set1_epi64x((long long)sha512_k[t])));      \
        n_;                                                                                        \
    })
/* The same with W(t - 2) read from w (the steps beside the rounds, each far behind the one
 * that stored it). */
#define TSTEP(t, w, wk)                                                                            \
    ((void)TSTEPV(t, w, wk, _mm256_load_si256((const __m256i *)((w) + 4 * ((t)-2)))))

/* The 80 rounds of one block reading W(t) + K(t) at WKP(t), with STEPS(s) (s = 0..15) between
 * every four of the first 64 rounds. */
#define BLOCKT(STEPS, WKP, arr)                                                                    \
    do {                                                                                           \
        uint64_t a = st[0], b = st[1], c = st[2], d = st[3];                                       \
        uint64_t e = st[4], f = st[5], g = st[6], h = st[7];                                       \
        uint64_t bc = b ^ c;                                                                       \
        unsigned t_ = 0;                                                                           \
        _Pragma("GCC unroll 4") for (; t_ < 64; t_ += 16)                                          \
        {                                                                                          \
            STEPS(t_ / 4);                                                                         \
            ROUNDS2TW(WKP(t_ + 0), arr, a, b, c, d, e, f, g, h);                                   \
            ROUNDS2TW(WKP(t_ + 2), arr, g, h, a, b, c, d, e, f);                                   \
            STEPS(t_ / 4 + 1);                                                                     \
            ROUNDS2TW(WKP(t_ + 4), arr, e, f, g, h, a, b, c, d);                                   \
            ROUNDS2TW(WKP(t_ + 6), arr, c, d, e, f, g, h, a, b);                                   \
            STEPS(t_ / 4 + 2);                                                                     \
            ROUNDS2TW(WKP(t_ + 8), arr, a, b, c, d, e, f, g, h);                                   \
            ROUNDS2TW(WKP(t_ + 10), arr, g, h, a, b, c, d, e, f);                                  \
            STEPS(t_ / 4 + 3);                                                                     \
            ROUNDS2TW(WKP(t_ + 12), arr, e, f, g, h, a, b, c, d);                                  \
            ROUNDS2TW(WKP(t_ + 14), arr, c, d, e, f, g, h, a, b);                                  \
        }                                                                                          \
        _Pragma("GCC unroll 4") for (; t_ < 80; t_ += 8)                                           \
        {                                                                                          \
            ROUNDS2TW(WKP(t_ + 0), arr, a, b, c, d, e, f, g, h);                                   \
            ROUNDS2TW(WKP(t_ + 2), arr, g, h, a, b, c, d, e, f);                                   \
            ROUNDS2TW(WKP(t_ + 4), arr, e, f, g, h, a, b, c, d);                                   \
            ROUNDS2TW(WKP(t_ + 6), arr, c, d, e, f, g, h, a, b);                                   \
        }                                                                                          \
        st[0] += a;                                                                                \
        st[1] += b;                                                                                \
        st[2] += c;                                                                                \
        st[3] += d;                                                                                \
        st[4] += e;                                                                                \
        st[5] += f;                                                                                \
        st[6] += g;                                                                                \
        st[7] += h;                                                                                \
    } while (0)

/* Fewer blocks go to the two-block code: the first group's schedule, computed before any
 * round, costs about a quarter of a group's rounds, and the pipeline wins that back only from
 * about 24 blocks on (min of 2,000 runs on the Ice Lake VM, as on an AVX2-only CPU: at 1 KiB
 * the two-block code was 2% faster, at 2.5 KiB 0.5%, at 3 KiB the four-block code 0.7%). */
#define SHA512_X4_MIN 24

#define TSTEPS_NEXT(s) TSTEP(nt + (s), wt, nxt)
#define TSTEPS_NONE(s) ((void)0)
#define WKT(t) (cw + 4 * (t))

AVX2_TARGET static void sha512_blocks_avx2x4(uint64_t st[8], const uint8_t *p, size_t nblocks)
{
    const __m256i bswap = _mm256_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                          9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i yror8 = _mm256_set_epi8(8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1, 8,
                                          15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1);
    _Alignas(32) uint64_t wkt[2][320];
    _Alignas(32) uint64_t wt[320];
    uint64_t *cur = wkt[0], *nxt = wkt[1];

    if (nblocks < SHA512_X4_MIN) {
        /* Nothing of this message goes to wkt or wt, so they need no wipe (7.5 KiB of
         * wipes made a 1 KiB message about 4% slower). */
        sha512_blocks_avx2(st, p, nblocks);
        return;
    }
    TLOAD(p, wt, cur);
    /* The first group's schedule alone: W(t - 2) and W(t - 1) stay in registers, so the
     * steps do not wait for a store to be read back. */
    __m256i w2 = _mm256_load_si256((const __m256i *)(wt + 4 * 14));
    __m256i w1 = _mm256_load_si256((const __m256i *)(wt + 4 * 15));
    _Pragma("GCC unroll 1") for (unsigned t = 16; t < 80; t += 2)
    {
        w2 = TSTEPV(t, wt, cur, w2);
        w1 = TSTEPV(t + 1, wt, cur, w1);
    }
    for (; nblocks >= 4; nblocks -= 4, p += 512) {
        if (nblocks >= 8) {
            TLOAD(p + 512, wt, nxt);
            _Pragma("GCC unroll 1") for (unsigned j = 0; j < 4; j++)
            {
                const uint64_t *cw = cur + j;
                const unsigned nt = 16 + 16 * j;
                BLOCKT(TSTEPS_NEXT, WKT, wkt);
            }
        } else {
            _Pragma("GCC unroll 1") for (unsigned j = 0; j < 4; j++)
            {
                const uint64_t *cw = cur + j;
                BLOCKT(TSTEPS_NONE, WKT, wkt);
            }
        }
        uint64_t *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    if (nblocks > 0)
        sha512_blocks_avx2(st, p, nblocks);
    /* As in sha512_blocks_avx: both buffers reveal the message. */
    tenon_wipe(wkt, sizeof wkt);
    tenon_wipe(wt, sizeof wt);
}

const sha512_impl sha512_x86avx2x4_impl = {
    "x86-avx2-4block",
    TENON_CPU_AVX2 | TENON_CPU_BMI2,
    sha512_blocks_avx2x4,
};
#endif
