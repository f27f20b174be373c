/* location: host name and the background lookup of the node's cloud and zone. */
#include "location.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "app.h"
#include "background.h"
#include "config.h"
#include "https.h"
#include "kubernetes.h"
#include "log.h"
#include "reply.h"
#include "store.h"

#define LOCATION_MAX_RESPONSE (1024 * 1024)
#define LOCATION_ATTEMPTS 6
#define LOCATION_TIMEOUT_MS 5000

struct location {
    pthread_mutex_t lock; /* guards place */
    struct store_place place;
    struct logger *logger;
    char *host, *path, *token_path, *ca_path;
    unsigned port;
    struct background *lookup; /* NULL when there is nothing to look up */
    int attempts;
    long delay_ms; /* before the next attempt; doubles after each failure */
};

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
        log_message(location->logger, LOG_LEVEL_WARN, "location: node lookup failed: %s", error);
    } else if (status != 200) {
        log_message(location->logger, LOG_LEVEL_WARN,
                    "location: the API server answered %u for the node (is the ClusterRole "
                    "to get nodes bound to this pod's service account?)",
                    status);
        done = status == 403 || status == 404; /* asking again will not change the answer */
    } else {
        struct store_place place;
        location_get(location, &place);
        if (kubernetes_parse_node(response.body, response.body_length, place.cloud,
                                  sizeof place.cloud, place.zone, sizeof place.zone)) {
            pthread_mutex_lock(&location->lock);
            location->place = place;
            pthread_mutex_unlock(&location->lock);
            log_message(location->logger, LOG_LEVEL_INFO, "location: cloud %s, zone %s",
                        place.cloud, place.zone);
            done = true;
        }
    }
    free(response.body);
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
