/*
 * libFuzzer target for the fuzzing build (docs/fuzzing.md): a server engine (TLS 1.3, or TLS 1.2
 * with settings bit 2) fed the
 * fuzzer's bytes as everything a client sends. The first byte picks the server's client
 * certificate policy; see fuzz_engine.h.
 *
 *   fuzz_engine_server -tenon_seeds=DIR   record real handshakes, write the client streams to DIR
 *                                         as seeds (fails unless each replays to connected)
 *   fuzz_engine_server [libFuzzer flags] CORPUS_DIR
 */
#include "fuzz_engine.h"

#define TARGET_NAME "fuzz_engine_server"

#ifdef TENON_LIBFUZZER
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_setup(TARGET_NAME, 1);
    const char *dir = fuzz_seeds_arg(*argc, *argv);
    if (dir != NULL)
        exit(fuzz_write_seeds(dir, 1));
    atexit(fuzz_print_stats);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome o;
    fuzz_run_server(data, size, &o);
    return 0;
}
#else
int main(int argc, char **argv)
{
    fuzz_setup(TARGET_NAME, 1);
    const char *dir = fuzz_seeds_arg(argc, argv);
    if (dir != NULL)
        return fuzz_write_seeds(dir, 1);
    return fuzz_replay_main(argc, argv, 1);
}
#endif
