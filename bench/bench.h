/* tenon-bench: the pieces shared by the benchmark's sections. */
#ifndef TENON_BENCH_H
#define TENON_BENCH_H

#include <stddef.h>

/* One operation under test: run it once on len bytes; nonzero on failure. */
typedef int (*op_fn)(void *arg, size_t len);

/* A public-key operation or a handshake is timed as one "byte" per call: measure() then gives
 * calls/s. */
#define OPS 1

extern int samples;
extern double sample_seconds;
extern int tsv;

double now(void);
void die(const char *what);
double median(double *v, int n);

/* Times t_op and o_op alternately, samples times, and prints one row (or TSV line). */
void figure(const char *name, size_t len, op_fn t_op, void *t_arg, op_fn o_op, void *o_arg);

/* figure() for a byte-oriented (symmetric) primitive, len > 1: MB/s, the ratio, and the TSC
 * ticks per byte of tenon and of OpenSSL. */
void sym_figure(const char *name, size_t len, op_fn t_op, void *t_arg, op_fn o_op, void *o_arg);

/* Prints one row of already measured values. */
void figure_row(const char *name, const char *unit, double tenon, double openssl);

/* bench/tls.c: TLS 1.3 and TLS 1.2 handshakes, bulk data and memory per connection, tenon vs
 * libssl. */
void tls_memory_hooks_install(void);
void tls_figures(int bulk_only);
/* Runs only tenon's handshakes of one row n times (for a profiler); 2 for an unknown kind. */
int tls_profile_handshake(const char *kind, long n, long record_bytes);

/* bench/kem.c: ML-KEM-768/1024 (tenon only: op/s and TSC ticks per operation) and SHA-3/SHAKE
 * throughput against OpenSSL. */
void kem_figures(void);
void sha3_figures(void);

#endif
