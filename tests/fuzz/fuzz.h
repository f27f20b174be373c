/* fuzz.h: what every fuzz target shares: libFuzzer's entry points (declared here because the
 * project builds with -Wmissing-prototypes) and a check that turns a broken invariant into a
 * crash libFuzzer reports and saves. */
#ifndef PACMAN_FUZZ_H
#define PACMAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(condition)                                                                    \
    do {                                                                                         \
        if (!(condition)) {                                                                      \
            fprintf(stderr, "fuzz: invariant broken: %s (%s:%d)\n", #condition, __FILE__,        \
                    __LINE__);                                                                   \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

/* A NUL-terminated heap copy of data[0..size): what the server's C-string APIs receive. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* True when text holds only printable ASCII (what may reach a log line or a JSON error). */
static inline int fuzz_printable_ascii(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return 0;
    return 1;
}

#endif
