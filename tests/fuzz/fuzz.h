/* Shared by the fuzz targets (tests/fuzz/README.md): the libFuzzer entry
 * point, failing an oracle check, and the snapshot that the query targets
 * load once. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Each target defines it; libFuzzer calls it, and so does replay_main.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed oracle check: prints what was expected and aborts, which
 * libFuzzer and the replay both report as a crash of this input. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond))                                                           \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                 \
    } while (0)

__attribute__((noreturn, format(printf, 4, 5))) void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...);

/* The fixture corpus the query targets load: $TIMELINE_FUZZ_FIXTURE, or
 * tests/fixtures/loader/valid/minimal of the source tree. */
const char *fuzz_fixture_dir(void);

/* The fixture corpus, loaded (and its originals proven) on first use, kept
 * for the life of the process. Aborts when it does not load. */
const struct model_snapshot *fuzz_snapshot(void);

/* A NUL-terminated copy of data[0..size), cut at the first NUL as a C string
 * from the HTTP library would be; free() it. */
char *fuzz_cstring(const uint8_t *data, size_t size);

#endif
