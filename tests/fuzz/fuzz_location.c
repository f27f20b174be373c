/* Fuzzes kubernetes_parse_node, which reads the Kubernetes API server's Node object: the one
 * parser fed by a network peer other than the player.
 *
 * Input: one byte for the output buffer sizes, then the JSON. Invariants: the outputs stay
 * NUL-terminated within their buffers and are either left as they were or a short printable
 * text, since they are shown on the page. */
#include "fuzz.h"
#include "input.h"
#include "kubernetes.h"
#include "place.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_field(const char *value, size_t value_size)
{
    size_t length = strnlen(value, value_size);
    FUZZ_CHECK(length < value_size);
    if (strcmp(value, "unknown") != 0 && strcmp(value, "?") != 0) {
        long chars = input_printable_chars(value, length);
        FUZZ_CHECK(chars >= 1 && chars <= PLACE_CHARS);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t field_size = data[0] < 128 ? PLACE_SIZE : 2 + data[0] % 64;
    char *json = malloc(size - 1 ? size - 1 : 1); /* exactly the bytes: no NUL after them */
    char *cloud = malloc(field_size), *zone = malloc(field_size);
    if (!json || !cloud || !zone)
        abort();
    memcpy(json, data + 1, size - 1);
    snprintf(cloud, field_size, "%s", field_size > 7 ? "unknown" : "?");
    snprintf(zone, field_size, "%s", field_size > 7 ? "unknown" : "?");
    bool parsed = kubernetes_parse_node(json, size - 1, cloud, field_size, zone, field_size);
    check_field(cloud, field_size);
    check_field(zone, field_size);
    if (!parsed) {
        FUZZ_CHECK(strcmp(cloud, field_size > 7 ? "unknown" : "?") == 0);
        FUZZ_CHECK(strcmp(zone, field_size > 7 ? "unknown" : "?") == 0);
    }
    free(json);
    free(cloud);
    free(zone);
    return 0;
}
