/* input: form and JSON body parsing, and validation of single fields. */
#include "input.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hex.h"

void input_free(struct input *input)
{
    for (size_t i = 0; i < input->count; i++) {
        free(input->fields[i].name);
        free(input->fields[i].value);
    }
    input->count = 0;
}

const struct input_field *input_find(const struct input *input, const char *name)
{
    for (size_t i = 0; i < input->count; i++)
        if (strcmp(input->fields[i].name, name) == 0)
            return &input->fields[i];
    return NULL;
}

/* True when content_type names media_type, ignoring case and parameters (; charset=...). */
static bool input_type_is(const char *content_type, const char *media_type)
{
    size_t n = strlen(media_type);
    if (strncasecmp(content_type, media_type, n) != 0)
        return false;
    const char *rest = content_type + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static bool input_name_allowed(const char *name, size_t length)
{
    if (length == 0 || length > 64)
        return false;
    for (size_t i = 0; i < length; i++)
        if (name[i] == '\0' || name[i] == '$' || name[i] == '[' || name[i] == ']')
            return false;
    return true;
}

/* A field name fit for an error message: printable ASCII only, at most 64 characters. */
static void input_safe_name(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%.64s", name);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f || *c == '"')
            *c = '?';
}

/* Adds a field, taking ownership of name and value. */
static enum input_result input_add(struct input *input, char *name, char *value,
                                   enum input_kind kind, char *error, size_t error_size)
{
    enum input_result result = INPUT_OK;
    if (!name || !value) {
        snprintf(error, error_size, "out of memory");
        result = INPUT_NO_MEMORY;
    } else if (!input_name_allowed(name, strlen(name))) {
        snprintf(error, error_size,
                 "field names may not be empty, longer than 64 characters, "
                 "or contain $ [ ]");
        result = INPUT_BAD_REQUEST;
    } else if (input_find(input, name)) {
        char safe[72];
        input_safe_name(safe, sizeof safe, name);
        snprintf(error, error_size, "field \"%s\" is given more than once", safe);
        result = INPUT_BAD_REQUEST;
    } else if (input->count == INPUT_MAX_FIELDS) {
        snprintf(error, error_size, "too many fields (at most %d)", INPUT_MAX_FIELDS);
        result = INPUT_BAD_REQUEST;
    }
    if (result != INPUT_OK) {
        free(name);
        free(value);
        return result;
    }
    input->fields[input->count++] = (struct input_field){name, value, kind};
    return INPUT_OK;
}

/* Percent-decodes text[0..length) with + as space. NULL on a bad escape or a NUL byte. */
static char *input_form_decode(const char *text, size_t length, bool *bad)
{
    char *out = malloc(length + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int byte = i + 2 < length ? hex_byte(text + i + 1) : -1;
            if (byte < 0) {
                *bad = true;
                free(out);
                return NULL;
            }
            c = (char)byte;
            i += 2;
        }
        if (c == '\0') {
            *bad = true;
            free(out);
            return NULL;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

static enum input_result input_parse_form(struct input *input, const char *body, size_t length,
                                          char *error, size_t error_size)
{
    size_t i = 0;
    while (i < length) {
        size_t end = i;
        while (end < length && body[end] != '&')
            end++;
        if (end > i) {
            const char *equals = memchr(body + i, '=', end - i);
            size_t name_length = equals ? (size_t)(equals - (body + i)) : end - i;
            bool bad = false;
            char *name = input_form_decode(body + i, name_length, &bad);
            if (bad) {
                snprintf(error, error_size,
                         "malformed form body: a field name has a bad %%-escape or a NUL");
                return INPUT_BAD_REQUEST;
            }
            char *value =
                equals ? input_form_decode(equals + 1, (size_t)(body + end - equals - 1), &bad)
                       : strdup("");
            if (bad) {
                char safe[72];
                input_safe_name(safe, sizeof safe, name);
                snprintf(error, error_size, "%s has a bad %%-escape or a NUL character", safe);
                free(name);
                return INPUT_BAD_REQUEST;
            }
            enum input_result result =
                input_add(input, name, value, INPUT_STRING, error, error_size);
            if (result != INPUT_OK)
                return result;
        }
        i = end + 1;
    }
    return INPUT_OK;
}

static enum input_result input_parse_json(struct input *input, const char *body, size_t length,
                                          char *error, size_t error_size)
{
    json_error_t json_error;
    json_t *root = json_loadb(body, length, JSON_REJECT_DUPLICATES, &json_error);
    if (!root) {
        if (json_error_code(&json_error) == json_error_duplicate_key)
            snprintf(error, error_size, "body is not valid JSON: a field is given more than once");
        else
            snprintf(error, error_size, "body is not valid JSON (line %d, column %d)",
                     json_error.line, json_error.column);
        return INPUT_BAD_REQUEST;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(error, error_size, "JSON body must be an object");
        return INPUT_BAD_REQUEST;
    }
    const char *key;
    json_t *value;
    enum input_result result = INPUT_OK;
    json_object_foreach(root, key, value)
    {
        char *text;
        enum input_kind kind = INPUT_STRING;
        if (json_is_string(value)) {
            text = strndup(json_string_value(value), json_string_length(value));
        } else if (json_is_integer(value)) {
            kind = INPUT_NUMBER;
            if (asprintf(&text, "%" JSON_INTEGER_FORMAT, json_integer_value(value)) < 0)
                text = NULL;
        } else if (json_is_real(value)) {
            kind = INPUT_NUMBER;
            /* '#' keeps the decimal point: 1e3 reads as "1000.0000000000000", so the integer
             * getter refuses a real however whole it is, as the contract says */
            if (asprintf(&text, "%#.17g", json_real_value(value)) < 0)
                text = NULL;
        } else {
            kind = INPUT_OTHER;
            text = strdup("");
        }
        result = input_add(input, strdup(key), text, kind, error, error_size);
        if (result != INPUT_OK)
            break;
    }
    json_decref(root);
    return result;
}

enum input_result input_parse(struct input *input, const char *content_type, const char *body,
                              size_t body_length, char *error, size_t error_size)
{
    input->count = 0;
    if (error_size)
        error[0] = '\0';
    if (body_length == 0)
        return INPUT_OK;
    enum input_result result;
    if (content_type && input_type_is(content_type, "application/x-www-form-urlencoded")) {
        result = input_parse_form(input, body, body_length, error, error_size);
    } else if (content_type && input_type_is(content_type, "application/json")) {
        result = input_parse_json(input, body, body_length, error, error_size);
    } else {
        snprintf(error, error_size,
                 "Content-Type must be application/x-www-form-urlencoded or "
                 "application/json");
        result = INPUT_UNSUPPORTED_TYPE;
    }
    if (result != INPUT_OK)
        input_free(input);
    return result;
}

bool input_get_int(const struct input *input, const char *name, bool required, int64_t min,
                   int64_t max, int64_t fallback, int64_t *out, char *error, size_t error_size)
{
    const struct input_field *field = input_find(input, name);
    if (!field || (field->kind == INPUT_STRING && field->value[0] == '\0')) {
        if (!required) {
            *out = fallback;
            return true;
        }
        snprintf(error, error_size, "%s is required", name);
        return false;
    }
    const char *text = field->value;
    const char *digits = text[0] == '-' ? text + 1 : text;
    size_t length = strlen(digits);
    bool whole = field->kind != INPUT_OTHER && length > 0 && length <= 18 &&
                 strspn(digits, "0123456789") == length;
    if (!whole) {
        snprintf(error, error_size, "%s must be a whole number from %" PRId64 " to %" PRId64, name,
                 min, max);
        return false;
    }
    int64_t value = strtoll(text, NULL, 10);
    if (value < min || value > max) {
        snprintf(error, error_size, "%s must be from %" PRId64 " to %" PRId64, name, min, max);
        return false;
    }
    *out = value;
    return true;
}

/* Decodes one UTF-8 sequence strictly (no overlongs, surrogates or values past U+10FFFF).
 * Returns its length, or 0 when invalid. */
static size_t input_utf8_decode(const unsigned char *s, size_t available, uint32_t *code_point)
{
    if (s[0] < 0x80) {
        *code_point = s[0];
        return 1;
    }
    size_t length;
    uint32_t value, min;
    if ((s[0] & 0xe0) == 0xc0) {
        length = 2, value = s[0] & 0x1f, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        length = 3, value = s[0] & 0x0f, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        length = 4, value = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (length > available)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3f);
    }
    if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    *code_point = value;
    return length;
}

static bool input_printable(uint32_t c)
{
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return false; /* C0 and C1 controls, DEL */
    if (c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        return false; /* line separators and bidi overrides that can disguise a name */
    if (c == 0xfeff || (c & 0xfffe) == 0xfffe || (c >= 0xfdd0 && c <= 0xfdef))
        return false; /* BOM and non-characters */
    return true;
}

long input_printable_chars(const char *text, size_t length)
{
    const unsigned char *s = (const unsigned char *)text;
    long count = 0;
    size_t i = 0;
    while (i < length) {
        uint32_t c;
        size_t n = input_utf8_decode(s + i, length - i, &c);
        if (n == 0 || !input_printable(c))
            return -1;
        i += n;
        count++;
    }
    return count;
}

bool input_get_text(const struct input *input, const char *name, bool required, size_t min_chars,
                    size_t max_chars, const char *fallback, char *out, size_t out_size, char *error,
                    size_t error_size)
{
    const struct input_field *field = input_find(input, name);
    if (field && field->kind != INPUT_STRING) {
        snprintf(error, error_size, "%s must be a string", name);
        return false;
    }
    const char *start = field ? field->value : "";
    size_t length = strlen(start);
    while (length && *start == ' ')
        start++, length--;
    while (length && start[length - 1] == ' ')
        length--;
    if (length == 0) {
        if (required) {
            snprintf(error, error_size, "%s is required", name);
            return false;
        }
        snprintf(out, out_size, "%s", fallback ? fallback : "");
        return true;
    }
    long chars = input_printable_chars(start, length);
    if (chars < 0) {
        snprintf(error, error_size, "%s must be printable UTF-8 text (no control characters)",
                 name);
        return false;
    }
    if ((size_t)chars < min_chars || (size_t)chars > max_chars || length >= out_size) {
        snprintf(error, error_size, "%s must be %zu to %zu characters long", name, min_chars,
                 max_chars);
        return false;
    }
    memcpy(out, start, length);
    out[length] = '\0';
    return true;
}
