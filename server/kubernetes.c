/* kubernetes: what the server reads in the Kubernetes API's answers. */
#include "kubernetes.h"

#include <jansson.h>
#include <string.h>

#include "input.h"
#include "place.h"

void kubernetes_copy_text(char *out, size_t size, const char *text)
{
    size_t length = strlen(text);
    /* Only short printable values reach the page; anything else stays "unknown". */
    if (length == 0 || length >= size || length > PLACE_CHARS ||
        input_printable_chars(text, length) < 0)
        return;
    memcpy(out, text, length + 1);
}

bool kubernetes_parse_node(const char *json, size_t length, char *cloud, size_t cloud_size,
                           char *zone, size_t zone_size)
{
    json_t *node = json_loadb(json, length, 0, NULL);
    if (!json_is_object(node) || !json_is_object(json_object_get(node, "metadata"))) {
        json_decref(node);
        return false;
    }
    const char *provider =
        json_string_value(json_object_get(json_object_get(node, "spec"), "providerID"));
    if (provider) {
        const char *scheme_end = strstr(provider, "://");
        if (scheme_end && scheme_end > provider) {
            char scheme[PLACE_CHARS + 1];
            size_t n = (size_t)(scheme_end - provider);
            if (n < sizeof scheme) {
                memcpy(scheme, provider, n);
                scheme[n] = '\0';
                kubernetes_copy_text(cloud, cloud_size, scheme);
            }
        }
    }
    json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
    const char *found = json_string_value(json_object_get(labels, "topology.kubernetes.io/zone"));
    if (!found)
        found =
            json_string_value(json_object_get(labels, "failure-domain.beta.kubernetes.io/zone"));
    if (found)
        kubernetes_copy_text(zone, zone_size, found);
    json_decref(node);
    return true;
}
