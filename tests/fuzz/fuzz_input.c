/* Fuzzes input_parse (form and JSON bodies) and every getter on what it returns.
 *
 * Input: the first byte picks the Content-Type (one the server meets in practice, or, for
 * values >= 0xf0, the bytes up to the first newline); the rest is the body, handed over in a
 * buffer of exactly its length (input_parse must not read past it nor need a NUL). */
#include <inttypes.h>
#include <strings.h>
#include <jansson.h>

#include "fuzz.h"
#include "input.h"

static const char *const content_types[] = {
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "application/json",
    "Application/JSON ; charset=utf-8",
    "text/plain",
    NULL,
    "application/jsonx",
    "multipart/form-data; boundary=x",
};

static const char *const api_names[] = {"name",  "score", "level",       "cloud",
                                        "zone",  "host",  "submissionId", "userId",
                                        "lives", "elapsedTime"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

/* For a JSON body: the body as jansson reads it, to tell integers from reals. */
static json_t *json_body;

static void check_int_getter(const struct input *input, const char *name)
{
    char error[160];
    int64_t value = 12345;
    bool ok = input_get_int(input, name, true, -1000000, 10000000, 0, &value, error, sizeof error);
    const struct input_field *field = input_find(input, name);
    if (ok) {
        FUZZ_CHECK(field != NULL);
        FUZZ_CHECK(field->kind != INPUT_OTHER);
        FUZZ_CHECK(value >= -1000000 && value <= 10000000);
        const char *digits = field->value[0] == '-' ? field->value + 1 : field->value;
        FUZZ_CHECK(digits[0] != '\0' && strspn(digits, "0123456789") == strlen(digits));
        if (json_body) { /* a JSON integer or a string of digits, never a real like 1e3 */
            json_t *raw = json_object_get(json_body, name);
            FUZZ_CHECK(json_is_integer(raw) || json_is_string(raw));
        }
    } else {
        /* the message names the field: the server passes constant names only */
        FUZZ_CHECK(error[0] != '\0' && (!fuzz_printable_ascii(name) || fuzz_printable_ascii(error)));
    }
    /* optional and missing (no field name holds $): the fallback, always */
    ok = input_get_int(input, "$never", false, 0, 10, 7, &value, error, sizeof error);
    FUZZ_CHECK(ok && value == 7);
}

static void check_text_getter(const struct input *input, const char *name, size_t max_chars)
{
    char out[32 * 4 + 1], error[160];
    bool ok = input_get_text(input, name, true, 1, max_chars, NULL, out, sizeof out, error,
                             sizeof error);
    if (ok) {
        size_t length = strlen(out);
        FUZZ_CHECK(length > 0 && length < sizeof out);
        FUZZ_CHECK(out[0] != ' ' && out[length - 1] != ' ');
        long chars = input_printable_chars(out, length);
        FUZZ_CHECK(chars >= 1 && (size_t)chars <= max_chars);
    } else {
        FUZZ_CHECK(error[0] != '\0' && (!fuzz_printable_ascii(name) || fuzz_printable_ascii(error)));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *content_type = NULL;
    const char *type;
    const uint8_t *body = data + 1;
    size_t body_size = size - 1;
    if (data[0] >= 0xf0) {
        const uint8_t *newline = memchr(body, '\n', body_size);
        size_t type_size = newline ? (size_t)(newline - body) : body_size;
        content_type = fuzz_string(body, type_size);
        type = content_type;
        body += newline ? type_size + 1 : type_size;
        body_size -= newline ? type_size + 1 : type_size;
    } else {
        type = content_types[data[0] % (sizeof content_types / sizeof content_types[0])];
    }
    /* exactly body_size bytes: ASan reports any read past the end */
    char *exact = malloc(body_size ? body_size : 1);
    if (!exact)
        abort();
    memcpy(exact, body, body_size);

    struct input input;
    char error[160];
    enum input_result result = input_parse(&input, type, exact, body_size, error, sizeof error);
    if (result != INPUT_OK) {
        FUZZ_CHECK(input.count == 0);
        FUZZ_CHECK(error[0] != '\0' && fuzz_printable_ascii(error));
    } else {
        if (type && strncasecmp(type, "application/json", 16) == 0)
            json_body = json_loadb(exact, body_size, 0, NULL);
        FUZZ_CHECK(input.count <= INPUT_MAX_FIELDS);
        FUZZ_CHECK(body_size > 0 || input.count == 0);
        for (size_t i = 0; i < input.count; i++) {
            const struct input_field *field = &input.fields[i];
            size_t name_length = strlen(field->name);
            FUZZ_CHECK(name_length >= 1 && name_length <= 64);
            FUZZ_CHECK(strpbrk(field->name, "$[]") == NULL);
            FUZZ_CHECK(field->value != NULL);
            FUZZ_CHECK(field->kind != INPUT_OTHER || field->value[0] == '\0');
            FUZZ_CHECK(input_find(&input, field->name) == field); /* names are unique */
            check_int_getter(&input, field->name);
            check_text_getter(&input, field->name, 32);
        }
        for (size_t i = 0; i < sizeof api_names / sizeof api_names[0]; i++) {
            check_int_getter(&input, api_names[i]);
            check_text_getter(&input, api_names[i], 1 + i % 32);
        }
    }
    json_decref(json_body);
    json_body = NULL;
    input_free(&input);
    FUZZ_CHECK(input.count == 0);
    free(exact);
    free(content_type);
    return 0;
}
