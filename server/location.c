/* location: host name and the background lookup of the node's cloud and zone. */
#include "location.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "app.h"
#include "background.h"
#include "config.h"
#include "kubernetes.h"
#include "log.h"
#include "reply.h"
#include "store.h"
#include "strbuf.h"

#define LOCATION_MAX_RESPONSE (1024 * 1024)
#define LOCATION_ATTEMPTS 6

struct location {
    pthread_mutex_t lock; /* guards place */
    struct store_place place;
    struct logger *logger;
    char *url, *token_path, *ca_path;
    struct background *lookup; /* NULL when there is nothing to look up */
    int attempts;
    long delay_ms; /* before the next attempt; doubles after each failure */
};

static size_t location_collect(char *data, size_t size, size_t count, void *arg)
{
    /* a short count makes curl fail the transfer: past LOCATION_MAX_RESPONSE, or no memory */
    return strbuf_append(arg, data, size * count) ? size * count : 0;
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
        log_message(location->logger, LOG_LEVEL_WARN,
                    "location: cannot read the service-account token");
        return false;
    }
    char header[8300];
    snprintf(header, sizeof header, "Authorization: Bearer %s", token);
    free(token);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, header);
    headers = curl_slist_append(headers, "Accept: application/json");
    explicit_bzero(header, sizeof header);
    struct strbuf buffer;
    strbuf_init(&buffer, LOCATION_MAX_RESPONSE);
    long status = 0;
    CURLcode result = CURLE_FAILED_INIT;
    if (curl && headers) {
        curl_easy_setopt(curl, CURLOPT_URL, location->url);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_CAINFO, location->ca_path);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, location_collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
        result = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);

    bool done = false;
    if (result != CURLE_OK) {
        log_message(location->logger, LOG_LEVEL_WARN, "location: node lookup failed: %s",
                    curl_easy_strerror(result));
    } else if (status != 200) {
        log_message(location->logger, LOG_LEVEL_WARN,
                    "location: the API server answered %ld for the node (is the ClusterRole "
                    "to get nodes bound to this pod's service account?)",
                    status);
        done = status == 403 || status == 404; /* asking again will not change the answer */
    } else {
        struct store_place place;
        location_get(location, &place);
        if (kubernetes_parse_node(buffer.data, buffer.length, place.cloud, sizeof place.cloud,
                                  place.zone, sizeof place.zone)) {
            pthread_mutex_lock(&location->lock);
            location->place = place;
            pthread_mutex_unlock(&location->lock);
            log_message(location->logger, LOG_LEVEL_INFO, "location: cloud %s, zone %s",
                        place.cloud, place.zone);
            done = true;
        }
    }
    strbuf_free(&buffer);
    return done;
}

/* One attempt of the lookup on the background thread; the next one 1, 2, 4, ... s later. */
static long location_round(void *arg)
{
    struct location *location = arg;
    if (location_lookup(location) || ++location->attempts >= LOCATION_ATTEMPTS)
        return BACKGROUND_DONE;
    long delay_ms = location->delay_ms;
    location->delay_ms *= 2;
    return delay_ms;
}

struct location *location_new(const struct config *config, struct logger *logger)
{
    struct location *location = calloc(1, sizeof *location);
    if (!location)
        return NULL;
    pthread_mutex_init(&location->lock, NULL);
    location->logger = logger;
    location->delay_ms = 1000;
    snprintf(location->place.cloud, sizeof location->place.cloud, "unknown");
    snprintf(location->place.zone, sizeof location->place.zone, "unknown");
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(location->place.host, sizeof location->place.host, "unknown");
    kubernetes_copy_text(location->place.host, sizeof location->place.host, host);

    if (!config->node_name || !config->kubernetes_host)
        return location;
    const char *h = config->kubernetes_host;
    bool ipv6 = strchr(h, ':') != NULL;
    if (asprintf(&location->url, "https://%s%s%s:%u/api/v1/nodes/%s", ipv6 ? "[" : "", h,
                 ipv6 ? "]" : "", config->kubernetes_port, config->node_name) < 0 ||
        asprintf(&location->token_path, "%s/token", config->serviceaccount_dir) < 0 ||
        asprintf(&location->ca_path, "%s/ca.crt", config->serviceaccount_dir) < 0) {
        location_free(location);
        return NULL;
    }
    if (strspn(config->node_name, "abcdefghijklmnopqrstuvwxyz0123456789-.") !=
        strlen(config->node_name)) {
        log_message(logger, LOG_LEVEL_WARN,
                    "location: MY_NODE_NAME is not a node name; not looking it up");
        return location;
    }
    location->lookup = background_start(location_round, location, 0);
    if (!location->lookup)
        log_message(logger, LOG_LEVEL_WARN, "location: cannot start the node lookup thread");
    return location;
}

void location_free(struct location *location)
{
    if (!location)
        return;
    background_stop(location->lookup);
    pthread_mutex_destroy(&location->lock);
    free(location->url);
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

struct dbqueue_task *location_handle(struct app *app, enum method method, const struct input *input,
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
