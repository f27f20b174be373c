/* support.h: what several unit tests share. Include after cmocka.h. */
#ifndef PACMAN_TEST_SUPPORT_H
#define PACMAN_TEST_SUPPORT_H

#include <string.h>

#include "input.h"

/* Parses body as a form, as the old client sends it; the test fails when it is malformed. */
static inline void support_form(struct input *in, const char *body)
{
    char error[160];
    assert_int_equal(input_parse(in, "application/x-www-form-urlencoded", body, strlen(body), error,
                                 sizeof error),
                     INPUT_OK);
}

#endif
