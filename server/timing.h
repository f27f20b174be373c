/* timing: the server's two clock readings, each written once: the monotonic clock that times
 * things and the wall clock that dates them. */
#ifndef PACMAN_TIMING_H
#define PACMAN_TIMING_H

#include <stdint.h>

/* Microseconds on CLOCK_MONOTONIC: for durations, deadlines and timed waits. A step of the
 * wall clock never moves it; every timed wait is on this clock too (see background.h). */
int64_t timing_now_us(void);

/* Milliseconds since 1970 on the wall clock (CLOCK_REALTIME): for the times the server stores
 * and shows (a score's date, a pod's lastSeen, when an event happened), never for a duration
 * or a deadline, since the wall clock can step. */
int64_t timing_unix_ms(void);

#endif
