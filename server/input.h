/* input: request bodies (application/x-www-form-urlencoded or application/json) parsed into
 * one flat list of fields, and typed getters that validate a field and name it in the error.
 * Handlers read fields only through these getters, so no raw request text reaches the store. */
#ifndef PACMAN_INPUT_H
#define PACMAN_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INPUT_MAX_FIELDS 32
#define INPUT_MAX_BODY (16 * 1024)

enum input_kind { INPUT_STRING, INPUT_NUMBER, INPUT_OTHER /* JSON object, array, bool, null */ };

struct input_field {
    char *name;
    char *value; /* decoded text; for INPUT_OTHER an empty string */
    enum input_kind kind;
};

struct input {
    struct input_field fields[INPUT_MAX_FIELDS];
    size_t count;
};

enum input_result {
    INPUT_OK,
    INPUT_BAD_REQUEST,      /* malformed body: 400 */
    INPUT_UNSUPPORTED_TYPE, /* neither form nor JSON: 415 */
    INPUT_NO_MEMORY,        /* 500 */
};

/* Parses body (body_length bytes, need not be NUL-terminated) according to content_type
 * (may be NULL). An empty body gives no fields whatever its type. Duplicate field names and
 * names holding $ [ ] or NUL are malformed. On failure error says what is wrong (never
 * quoting the body) and input holds no fields. Call input_free in every case. */
enum input_result input_parse(struct input *input, const char *content_type, const char *body,
                              size_t body_length, char *error, size_t error_size);

void input_free(struct input *input);

/* The field named name, or NULL. */
const struct input_field *input_find(const struct input *input, const char *name);

/* Reads an integer field written in decimal (a JSON integer or a string of digits with an
 * optional minus sign). Missing and !required: *out = fallback, true. Otherwise false with
 * error naming the field when it is missing, not a whole number, or outside min..max. */
bool input_get_int(const struct input *input, const char *name, bool required, int64_t min,
                   int64_t max, int64_t fallback, int64_t *out, char *error, size_t error_size);

/* Reads a text field: spaces trimmed at both ends, then it must be valid UTF-8 of
 * min_chars..max_chars characters with no control, bidi-override or non-characters.
 * Missing (or empty when min_chars is 0) and !required: copies fallback. out_size must hold
 * max_chars * 4 + 1 bytes. False with error naming the field otherwise. */
bool input_get_text(const struct input *input, const char *name, bool required, size_t min_chars,
                    size_t max_chars, const char *fallback, char *out, size_t out_size, char *error,
                    size_t error_size);

/* Checks text (length bytes) is valid UTF-8 of printable characters as input_get_text
 * requires; returns the number of characters, or -1. */
long input_printable_chars(const char *text, size_t length);

#endif
