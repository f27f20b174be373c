/* fuzz_mongoc.h: for the targets that call the MongoDB driver's URI parser: the driver set
 * up once, and its log (a warning per malformed string) silenced. */
#ifndef PACMAN_FUZZ_MONGOC_H
#define PACMAN_FUZZ_MONGOC_H

#include <mongoc/mongoc.h>

static void fuzz_quiet_log(mongoc_log_level_t level, const char *domain, const char *message,
                           void *arg)
{
    (void)level, (void)domain, (void)message, (void)arg;
}

static inline void fuzz_mongoc_init(void)
{
    mongoc_init();
    mongoc_log_set_handler(fuzz_quiet_log, NULL);
}

#endif
