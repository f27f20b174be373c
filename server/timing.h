/* timing: the two clock readings the server needs, written once. */
#ifndef PACMAN_TIMING_H
#define PACMAN_TIMING_H

#include <stdint.h>
#include <time.h>

/* Microseconds on the monotonic clock: for durations and deadlines. */
int64_t timing_now_us(void);

/* The CLOCK_REALTIME instant milliseconds from now, as pthread_cond_timedwait wants it. */
struct timespec timing_after_ms(long milliseconds);

#endif
