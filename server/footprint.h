/* footprint: what the process keeps resident beyond what it uses. Three process-wide knobs,
 * called from main.c only:
 *  - the allocator: at most FOOTPRINT_ARENAS malloc arenas, however many threads allocate;
 *  - the shared libraries' start-up pages: released once, before the first thread starts;
 *  - freed heap memory: handed back to the system every FOOTPRINT_TRIM_SECONDS.
 * Why each one is in footprint.c; what they save, in docs/performance.md. */
#ifndef PACMAN_FOOTPRINT_H
#define PACMAN_FOOTPRINT_H

#include <stddef.h>

/* How often main's thread calls footprint_trim while serving. */
#define FOOTPRINT_TRIM_SECONDS 5

/* Caps glibc's malloc arenas. Call first thing in main, before any thread exists. */
void footprint_limit_arenas(void);

/* Releases the pages of the mapped files (the executable and its shared libraries) that only
 * start-up has touched: the dynamic loader's symbol and relocation tables, initialisers.
 * Only clean, read-only, file-backed pages, which the kernel reads back from the file if they
 * are used again. Must be called while the process has one thread (no mapping can change
 * under it). Returns the KiB released (0 when /proc is not mounted: nothing is done). */
size_t footprint_release_startup_pages(void);

/* Returns whole free pages inside the heap to the system (malloc_trim): what 1,000
 * connections' buffers left behind once they closed. Cheap when there is nothing to do. */
void footprint_trim(void);

#endif
