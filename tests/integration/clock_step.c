/* clock_step: an LD_PRELOAD library that steps CLOCK_REALTIME for one process only, as NTP, a
 * resumed VM or `date -s` would step the machine's clock, without touching the machine's.
 *
 * The step is read from the file named by CLOCK_STEP_FILE: whole seconds to add to the wall
 * clock ("-3600" steps it an hour back; "0" or no file: the real time). The file is read again
 * at most every 5 ms, so a test steps the clock under a running process by rewriting it.
 *
 * What a real step does, this does too:
 *  - clock_gettime(CLOCK_REALTIME and _COARSE), gettimeofday and time read the stepped clock;
 *    CLOCK_MONOTONIC, CLOCK_BOOTTIME and the rest are left alone (a step never moves them).
 *  - pthread_cond_timedwait on a condition variable created with the default clock (the wall
 *    clock), and pthread_cond_clockwait(CLOCK_REALTIME), end when the *stepped* clock reaches
 *    their deadline, including waits that were already sleeping when the step happened: the
 *    kernel's wall-clock waits behave so. A step back therefore makes such a wait sleep the
 *    size of the step on top. Waits on condition variables set to CLOCK_MONOTONIC
 *    (pthread_condattr_setclock) are passed through untouched.
 * libfaketime (Debian's) does not serve here: it recomputes every wait from the faked clock
 * when the wait starts, so a wait already sleeping when the clock steps never feels it.
 *
 * Built by tests/integration/test_clock_step.py; test code only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
#define REREAD_NS (5 * 1000000LL)
#define SLICE_NS (5 * 1000000LL)
#define MONOTONIC_SLOTS 4096

static _Atomic int64_t step_ns;
static _Atomic int64_t step_read_at_ns = -1; /* monotonic time of the last read */

/* Condition variables created with CLOCK_MONOTONIC: an open-addressing set of addresses. */
static pthread_mutex_t monotonic_lock = PTHREAD_MUTEX_INITIALIZER;
static const void *monotonic_conds[MONOTONIC_SLOTS];
#define TOMBSTONE ((const void *)1)

static int real_clock(clockid_t id, struct timespec *ts)
{
    return (int)syscall(SYS_clock_gettime, id, ts);
}

static int64_t to_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * NS + ts->tv_nsec;
}

static struct timespec from_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / NS), (long)(ns % NS)};
    return ts;
}

static int64_t clock_step_now(void)
{
    struct timespec now;
    real_clock(CLOCK_MONOTONIC, &now);
    int64_t mono = to_ns(&now);
    int64_t last = atomic_load(&step_read_at_ns);
    if (last >= 0 && mono - last < REREAD_NS)
        return atomic_load(&step_ns);
    atomic_store(&step_read_at_ns, mono);
    const char *path = getenv("CLOCK_STEP_FILE");
    int64_t step = 0;
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        char text[32] = {0};
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n > 0)
            step = strtoll(text, NULL, 10) * NS;
    }
    atomic_store(&step_ns, step);
    return step;
}

static int64_t stepped_realtime_ns(void)
{
    struct timespec now;
    real_clock(CLOCK_REALTIME, &now);
    return to_ns(&now) + clock_step_now();
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int result = real_clock(id, ts);
    if (result == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
        *ts = from_ns(to_ns(ts) + clock_step_now());
    return result;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    {
        int64_t now = stepped_realtime_ns();
        tv->tv_sec = (time_t)(now / NS);
        tv->tv_usec = (suseconds_t)(now % NS / 1000);
    }
    return 0;
}

time_t time(time_t *out)
{
    time_t now = (time_t)(stepped_realtime_ns() / NS);
    if (out)
        *out = now;
    return now;
}

static size_t slot_of(const void *cond)
{
    return ((uintptr_t)cond >> 4) % MONOTONIC_SLOTS;
}

static bool is_monotonic(const pthread_cond_t *cond)
{
    pthread_mutex_lock(&monotonic_lock);
    bool found = false;
    for (size_t i = slot_of(cond), n = 0; n < MONOTONIC_SLOTS && monotonic_conds[i];
         i = (i + 1) % MONOTONIC_SLOTS, n++)
        if (monotonic_conds[i] == cond) {
            found = true;
            break;
        }
    pthread_mutex_unlock(&monotonic_lock);
    return found;
}

static void forget(const pthread_cond_t *cond)
{
    pthread_mutex_lock(&monotonic_lock);
    for (size_t i = slot_of(cond), n = 0; n < MONOTONIC_SLOTS && monotonic_conds[i];
         i = (i + 1) % MONOTONIC_SLOTS, n++)
        if (monotonic_conds[i] == cond) {
            monotonic_conds[i] = TOMBSTONE;
            break;
        }
    pthread_mutex_unlock(&monotonic_lock);
}

static void remember(const pthread_cond_t *cond)
{
    forget(cond);
    pthread_mutex_lock(&monotonic_lock);
    for (size_t i = slot_of(cond), n = 0; n < MONOTONIC_SLOTS; i = (i + 1) % MONOTONIC_SLOTS, n++)
        if (!monotonic_conds[i] || monotonic_conds[i] == TOMBSTONE) {
            monotonic_conds[i] = cond;
            break;
        }
    pthread_mutex_unlock(&monotonic_lock);
}

/* glibc exports two versions of the condition variable calls; the server links the new one. */
#define REAL(name, type)                                                                           \
    static type real_##name;                                                                       \
    if (!real_##name)                                                                              \
        real_##name = (type)dlvsym(RTLD_NEXT, #name, "GLIBC_2.3.2");

typedef int (*init_fn)(pthread_cond_t *, const pthread_condattr_t *);
typedef int (*destroy_fn)(pthread_cond_t *);
typedef int (*timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);

int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr)
{
    REAL(pthread_cond_init, init_fn)
    int result = real_pthread_cond_init(cond, attr);
    clockid_t clock = CLOCK_REALTIME;
    if (result == 0 && attr && pthread_condattr_getclock(attr, &clock) == 0 &&
        clock == CLOCK_MONOTONIC)
        remember(cond);
    else
        forget(cond);
    return result;
}

int pthread_cond_destroy(pthread_cond_t *cond)
{
    REAL(pthread_cond_destroy, destroy_fn)
    forget(cond);
    return real_pthread_cond_destroy(cond);
}

/* A wall-clock wait until the stepped clock reaches abstime, in short real slices so that a
 * step while it sleeps moves its end, as the kernel's wall-clock waits do. */
static int stepped_wait(pthread_cond_t *cond, pthread_mutex_t *mutex,
                        const struct timespec *abstime)
{
    REAL(pthread_cond_timedwait, timedwait_fn)
    int64_t until = to_ns(abstime);
    for (;;) {
        int64_t left = until - stepped_realtime_ns();
        if (left <= 0)
            return ETIMEDOUT;
        struct timespec now;
        real_clock(CLOCK_REALTIME, &now);
        struct timespec slice = from_ns(to_ns(&now) + (left < SLICE_NS ? left : SLICE_NS));
        int result = real_pthread_cond_timedwait(cond, mutex, &slice);
        if (result != ETIMEDOUT)
            return result; /* signalled (or an error) */
    }
}

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
                           const struct timespec *abstime)
{
    REAL(pthread_cond_timedwait, timedwait_fn)
    if (is_monotonic(cond))
        return real_pthread_cond_timedwait(cond, mutex, abstime);
    return stepped_wait(cond, mutex, abstime);
}

typedef int (*clockwait_fn)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
                            const struct timespec *);

int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock,
                           const struct timespec *abstime)
{
    static clockwait_fn real_clockwait;
    if (!real_clockwait)
        real_clockwait = (clockwait_fn)dlsym(RTLD_NEXT, "pthread_cond_clockwait");
    if (clock == CLOCK_REALTIME)
        return stepped_wait(cond, mutex, abstime);
    return real_clockwait(cond, mutex, clock, abstime);
}
