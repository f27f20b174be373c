/* timing: the one clock reading the server times things with, written once. */
#ifndef PACMAN_TIMING_H
#define PACMAN_TIMING_H

#include <stdint.h>

/* Microseconds on CLOCK_MONOTONIC: for durations, deadlines and timed waits. A step of the
 * wall clock never moves it; every timed wait is on this clock too (see background.h). */
int64_t timing_now_us(void);

#endif
