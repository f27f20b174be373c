/* background: one thread that runs a round of work when it is due, as redis's ae runs a time
 * event: each round says how long until the next one. A round is due when that delay has
 * passed, at once when background_wake is called, and never again once background_stop is.
 *
 * Every wait is on CLOCK_MONOTONIC (pthread_condattr_setclock): a step of the wall clock (NTP,
 * a resumed VM, `date -s`) neither stalls a round nor runs one early. This is the one place in
 * the server's own code that starts a thread or schedules work (libmicrohttpd and the MongoDB
 * driver run their own threads): the HTTP threads (http_loop), the database workers and their
 * deadline, the database monitor, the node lookup, the log flusher, player expiry, the web
 * pods' beat, the slow-request sweeper and main's exit watchdog all run on it. The waits that
 * are not schedules are I/O bounded by a deadline on the same clock: an HTTP thread's poll
 * until libmicrohttpd's next timeout (http_loop.c), the node lookup's TLS exchange (https.c),
 * and main's wait for a signal.
 *
 * Threads: background_wake may be called from any thread, at any time before background_stop;
 * a wake that arrives while a round runs makes the next round due at once (never lost).
 * The round function runs on the background thread only, never two at once. */
#ifndef PACMAN_BACKGROUND_H
#define PACMAN_BACKGROUND_H

#include <stdbool.h>

/* What a round returns besides a delay in milliseconds (0: run again at once). BACKGROUND_DONE
 * ends the thread; background_stop must still be called to free it. */
#define BACKGROUND_IDLE (-1L) /* sleep until woken */
#define BACKGROUND_DONE (-2L) /* the work is over */

struct background;

/* One round of work on the background thread; returns the delay until the next round in
 * milliseconds, BACKGROUND_IDLE or BACKGROUND_DONE. */
typedef long (*background_round_fn)(void *ctx);

/* Starts a thread whose first round is due first_delay_ms from now (0: at once,
 * BACKGROUND_IDLE: when woken). NULL when out of memory or threads. */
struct background *background_start(background_round_fn round, void *ctx, long first_delay_ms);

/* Makes the next round due now (wakes the thread if it sleeps). */
void background_wake(struct background *background);

/* Stops the thread: no round starts after this call; a round in progress is waited for (a
 * round that blocks blocks this call as long). Then joins and frees. NULL is ignored. */
void background_stop(struct background *background);

#endif
