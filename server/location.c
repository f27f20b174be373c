/* location: host name and the background lookup of the node's cloud and zone. */
#include "location.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "https.h"
#include "input.h"
#include "timing.h"

#define LOCATION_MAX_RESPONSE (1024 * 1024)
#define LOCATION_ATTEMPTS 6
#define LOCATION_TIMEOUT_MS 5000

struct location {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct store_place place;
    struct logger *logger;
    char *host, *path, *token_path, *ca_path;
    unsigned port;
    bool running, stopping;
    pthread_t thread;
};

static void location_copy_text(char *out, size_t size, const char *text)
{
    size_t length = strlen(text);
    /* Only short printable values reach the page; anything else stays "unknown". */
    if (length == 0 || length >= size || length > STORE_PLACE_CHARS ||
        input_printable_chars(text, length) < 0)
        return;
    memcpy(out, text, length + 1);
}

bool location_parse_node(const char *json, size_t length, char *cloud, size_t cloud_size,
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
            char scheme[STORE_PLACE_CHARS + 1];
            size_t n = (size_t)(scheme_end - provider);
            if (n < sizeof scheme) {
                memcpy(scheme, provider, n);
                scheme[n] = '\0';
                location_copy_text(cloud, cloud_size, scheme);
            }
        }
    }
    json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
    const char *found = json_string_value(json_object_get(labels, "topology.kubernetes.io/zone"));
    if (!found)
        found =
            json_string_value(json_object_get(labels, "failure-domain.beta.kubernetes.io/zone"));
    if (found)
        location_copy_text(zone, zone_size, found);
    json_decref(node);
    return true;
}

static char *location_read_token(const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    char *token = calloc(1, 8192);
    if (token && !fgets(token, 8192, file)) {
        free(token);
        token = NULL;
    }
    fclose(file);
    if (token)
        token[strcspn(token, "\r\n")] = '\0';
    return token;
}

/* One attempt; true when the node was read (whatever it said). */
static bool location_lookup(struct location *location)
{
    char *token = location_read_token(location->token_path);
    if (!token) {
        log_message(location->logger, LOG_WARN, "location: cannot read the service-account token");
        return false;
    }
    char headers[8320], error[320];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\nAccept: application/json\r\n",
             token);
    explicit_bzero(token, strlen(token));
    free(token);
    struct https_response response;
    bool answered =
        https_get(location->host, location->port, location->path, headers, location->ca_path,
                  LOCATION_TIMEOUT_MS, LOCATION_MAX_RESPONSE, &response, error, sizeof error);
    explicit_bzero(headers, sizeof headers);

    bool done = false;
    unsigned status = response.status;
    if (!answered) {
        log_message(location->logger, LOG_WARN, "location: node lookup failed: %s", error);
    } else if (status != 200) {
        log_message(location->logger, LOG_WARN,
                    "location: the API server answered %u for the node (is the ClusterRole "
                    "to get nodes bound to this pod's service account?)",
                    status);
        done = status == 403 || status == 404; /* asking again will not change the answer */
    } else {
        struct store_place place;
        location_get(location, &place);
        if (location_parse_node(response.body, response.body_length, place.cloud,
                                sizeof place.cloud, place.zone, sizeof place.zone)) {
            pthread_mutex_lock(&location->lock);
            location->place = place;
            pthread_mutex_unlock(&location->lock);
            log_message(location->logger, LOG_INFO, "location: cloud %s, zone %s", place.cloud,
                        place.zone);
            done = true;
        }
    }
    free(response.body);
    return done;
}

static void *location_loop(void *arg)
{
    struct location *location = arg;
    unsigned delay_s = 1;
    for (int attempt = 0; attempt < LOCATION_ATTEMPTS && !location_lookup(location); attempt++) {
        pthread_mutex_lock(&location->lock);
        struct timespec until = timing_after_ms((long)delay_s * 1000);
        while (!location->stopping &&
               pthread_cond_timedwait(&location->wake, &location->lock, &until) == 0)
            ;
        bool stopping = location->stopping;
        pthread_mutex_unlock(&location->lock);
        if (stopping)
            break;
        delay_s *= 2;
    }
    return NULL;
}

struct location *location_new(const struct config *config, struct logger *logger)
{
    struct location *location = calloc(1, sizeof *location);
    if (!location)
        return NULL;
    pthread_mutex_init(&location->lock, NULL);
    pthread_cond_init(&location->wake, NULL);
    location->logger = logger;
    snprintf(location->place.cloud, sizeof location->place.cloud, "unknown");
    snprintf(location->place.zone, sizeof location->place.zone, "unknown");
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(location->place.host, sizeof location->place.host, "unknown");
    location_copy_text(location->place.host, sizeof location->place.host, host);

    if (!config->node_name || !config->kubernetes_host)
        return location;
    location->port = config->kubernetes_port;
    if (!(location->host = strdup(config->kubernetes_host)) ||
        asprintf(&location->path, "/api/v1/nodes/%s", config->node_name) < 0 ||
        asprintf(&location->token_path, "%s/token", config->serviceaccount_dir) < 0 ||
        asprintf(&location->ca_path, "%s/ca.crt", config->serviceaccount_dir) < 0) {
        location_free(location);
        return NULL;
    }
    if (strspn(config->node_name, "abcdefghijklmnopqrstuvwxyz0123456789-.") !=
        strlen(config->node_name)) {
        log_message(logger, LOG_WARN,
                    "location: MY_NODE_NAME is not a node name; not looking it up");
        return location;
    }
    location->running = pthread_create(&location->thread, NULL, location_loop, location) == 0;
    return location;
}

void location_free(struct location *location)
{
    if (!location)
        return;
    if (location->running) {
        pthread_mutex_lock(&location->lock);
        location->stopping = true;
        pthread_cond_signal(&location->wake);
        pthread_mutex_unlock(&location->lock);
        pthread_join(location->thread, NULL);
    }
    pthread_mutex_destroy(&location->lock);
    pthread_cond_destroy(&location->wake);
    free(location->host);
    free(location->path);
    free(location->token_path);
    free(location->ca_path);
    free(location);
}

void location_get(struct location *location, struct store_place *place)
{
    pthread_mutex_lock(&location->lock);
    *place = location->place;
    pthread_mutex_unlock(&location->lock);
}

struct db_task *location_handle(struct app *app, enum method method, const struct input *input,
                                struct reply *reply)
{
    (void)method, (void)input;
    struct store_place place;
    location_get(app->location, &place);
    json_t *body = json_object();
    api_place_to_json(body, &place);
    reply_json(reply, 200, body);
    return NULL;
}
