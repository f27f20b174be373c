/* node_lookup: the host name and the background lookup of the node's cloud and zone. */
#include "node_lookup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "background.h"
#include "config.h"
#include "https.h"
#include "kubernetes.h"
#include "log.h"
#include "place.h"

#define NODE_LOOKUP_MAX_RESPONSE (1024 * 1024)
#define NODE_LOOKUP_ATTEMPTS 6
#define NODE_LOOKUP_TIMEOUT_MS 5000

struct node_lookup {
    pthread_mutex_t lock; /* guards place */
    struct place place;
    struct logger *logger;
    char *host, *path, *token_path, *ca_path;
    unsigned port;
    struct background *thread; /* NULL when there is nothing to look up */
    int attempts;
    long delay_ms; /* before the next attempt; doubles after each failure */
};

static char *node_lookup_read_token(const char *path)
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
static bool node_lookup_attempt(struct node_lookup *lookup)
{
    char *token = node_lookup_read_token(lookup->token_path);
    if (!token) {
        log_message(lookup->logger, LOG_LEVEL_WARN,
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
        https_get(lookup->host, lookup->port, lookup->path, headers, lookup->ca_path,
                  NODE_LOOKUP_TIMEOUT_MS, NODE_LOOKUP_MAX_RESPONSE, &response, error, sizeof error);
    explicit_bzero(headers, sizeof headers);

    bool done = false;
    unsigned status = response.status;
    if (!answered) {
        log_message(lookup->logger, LOG_LEVEL_WARN, "location: node lookup failed: %s", error);
    } else if (status != 200) {
        log_message(lookup->logger, LOG_LEVEL_WARN,
                    "location: the API server answered %u for the node (is the ClusterRole "
                    "to get nodes bound to this pod's service account?)",
                    status);
        done = status == 403 || status == 404; /* asking again will not change the answer */
    } else {
        struct place place;
        node_lookup_place(lookup, &place);
        if (kubernetes_parse_node(response.body, response.body_length, place.cloud,
                                  sizeof place.cloud, place.zone, sizeof place.zone)) {
            pthread_mutex_lock(&lookup->lock);
            lookup->place = place;
            pthread_mutex_unlock(&lookup->lock);
            log_message(lookup->logger, LOG_LEVEL_INFO, "location: cloud %s, zone %s", place.cloud,
                        place.zone);
            done = true;
        }
    }
    free(response.body);
    return done;
}

/* One attempt of the lookup on the background thread; the next one 1, 2, 4, ... s later. */
static long node_lookup_round(void *arg)
{
    struct node_lookup *lookup = arg;
    if (node_lookup_attempt(lookup) || ++lookup->attempts >= NODE_LOOKUP_ATTEMPTS)
        return BACKGROUND_DONE;
    long delay_ms = lookup->delay_ms;
    lookup->delay_ms *= 2;
    return delay_ms;
}

struct node_lookup *node_lookup_start(const struct config *config, struct logger *logger)
{
    struct node_lookup *lookup = calloc(1, sizeof *lookup);
    if (!lookup)
        return NULL;
    pthread_mutex_init(&lookup->lock, NULL);
    lookup->logger = logger;
    lookup->delay_ms = 1000;
    snprintf(lookup->place.cloud, sizeof lookup->place.cloud, "unknown");
    snprintf(lookup->place.zone, sizeof lookup->place.zone, "unknown");
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(lookup->place.host, sizeof lookup->place.host, "unknown");
    kubernetes_copy_text(lookup->place.host, sizeof lookup->place.host, host);

    if (!config->node_name || !config->kubernetes_host)
        return lookup;
    lookup->port = config->kubernetes_port;
    if (!(lookup->host = strdup(config->kubernetes_host)) ||
        asprintf(&lookup->path, "/api/v1/nodes/%s", config->node_name) < 0 ||
        asprintf(&lookup->token_path, "%s/token", config->serviceaccount_dir) < 0 ||
        asprintf(&lookup->ca_path, "%s/ca.crt", config->serviceaccount_dir) < 0) {
        node_lookup_stop(lookup);
        return NULL;
    }
    if (strspn(config->node_name, "abcdefghijklmnopqrstuvwxyz0123456789-.") !=
        strlen(config->node_name)) {
        log_message(logger, LOG_LEVEL_WARN,
                    "location: MY_NODE_NAME is not a node name; not looking it up");
        return lookup;
    }
    lookup->thread = background_start(node_lookup_round, lookup, 0);
    if (!lookup->thread)
        log_message(logger, LOG_LEVEL_WARN, "location: cannot start the node lookup thread");
    return lookup;
}

void node_lookup_stop(struct node_lookup *lookup)
{
    if (!lookup)
        return;
    background_stop(lookup->thread);
    pthread_mutex_destroy(&lookup->lock);
    free(lookup->host);
    free(lookup->path);
    free(lookup->token_path);
    free(lookup->ca_path);
    free(lookup);
}

void node_lookup_place(struct node_lookup *lookup, struct place *place)
{
    pthread_mutex_lock(&lookup->lock);
    *place = lookup->place;
    pthread_mutex_unlock(&lookup->lock);
}
