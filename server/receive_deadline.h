/* receive_deadline: a cap on the total time a client may take to send one request, headers
 * and body, counted from the request's first byte (REQUEST_TIMEOUT_SECONDS).
 *
 * libmicrohttpd's own timeout (CONNECTION_TIMEOUT_SECONDS) is an idle timeout that every
 * received byte restarts, and it reports a request only once its headers are complete. So a
 * client dripping a byte every few seconds would hold a connection slot for ever (slowloris).
 * Every connection is registered here (MHD_OPTION_NOTIFY_CONNECTION); a sweeper thread shuts
 * down those whose request has been arriving for longer than the deadline. A request counts
 * as begun when the kernel's count of bytes received on the socket grows (TCP_INFO), or when
 * its headers are complete, whichever is seen first; so a keep-alive connection that sends
 * nothing is left to the idle timeout, and answering (a database call, a slow reader) is
 * never timed here.
 *
 * Threads: receive_deadline_open/close are called by libmicrohttpd's threads, the
 * receive_deadline_request_* ones by the thread that owns the connection; they take no lock
 * but open and close. The sweep holds the registry's lock while it shuts sockets down, and
 * close takes the same lock before libmicrohttpd closes the descriptor, so a sweep never
 * touches a descriptor number that was reused by a newer connection. */
#ifndef PACMAN_RECEIVE_DEADLINE_H
#define PACMAN_RECEIVE_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

struct logger;
struct receive_deadline;
struct receive_deadline_connection;

/* A registry with a deadline of limit_ms (0: no deadline; everything is then a no-op), and no
 * sweeper thread yet. logger (may be NULL) gets one line per sweep that closed connections.
 * NULL when out of memory. */
struct receive_deadline *receive_deadline_new(unsigned limit_ms, struct logger *logger);

/* Starts the sweeper thread (none without a deadline): ten sweeps per deadline, at most 0.5 s
 * apart, so a connection is cut within a tenth of the deadline (or 0.5 s) after it passes.
 * false when the thread cannot be started. */
bool receive_deadline_run(struct receive_deadline *deadline);

/* Stops the sweeper and frees the registry. Every connection must have been closed first
 * (libmicrohttpd's daemon stopped). NULL is ignored. */
void receive_deadline_free(struct receive_deadline *deadline);

/* Registers a new connection on socket fd; NULL when out of memory or with no deadline (the
 * other calls accept NULL and do nothing). */
struct receive_deadline_connection *receive_deadline_open(struct receive_deadline *deadline,
                                                          int fd);

/* Unregisters and frees; call before the descriptor is closed. NULL is ignored. */
void receive_deadline_close(struct receive_deadline *deadline,
                            struct receive_deadline_connection *connection);

/* The request's headers are complete: its clock starts now unless bytes were seen earlier. */
void receive_deadline_request_begun(struct receive_deadline_connection *connection);

/* The request arrived whole (or is being refused): no deadline while it is answered. */
void receive_deadline_request_received(struct receive_deadline_connection *connection);

/* The response is finished: the connection is idle until the next request's first byte. */
void receive_deadline_request_answered(struct receive_deadline_connection *connection);

/* True once the sweeper has shut this connection down. */
bool receive_deadline_was_cut(const struct receive_deadline_connection *connection);

/* One pass over every connection at time now_us (timing_now_us): marks requests that have
 * begun and shuts down those past the deadline. Returns how many it shut down. The sweeper
 * thread calls this; exposed so tests can drive it with their own clock. */
unsigned receive_deadline_sweep(struct receive_deadline *deadline, int64_t now_us);

/* Connections shut down since start. */
uint64_t receive_deadline_cut_total(const struct receive_deadline *deadline);

struct strbuf;

/* The cut connections as a metric (a metrics_source_fn; ctx is the registry). */
void receive_deadline_metrics(void *deadline, struct strbuf *out);

#endif
