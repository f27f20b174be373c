/* footprint: the allocator's arenas, the libraries' start-up pages and freed heap pages.
 *
 * Most of an idle server's resident memory would otherwise be pages of its shared libraries
 * (Debian's libmongoc and libmicrohttpd bring OpenSSL, GnuTLS, ICU, Kerberos ...). Nearly all
 * of those are touched once, by the dynamic loader resolving symbols and applying relocations
 * before main, and never read again. docs/performance.md has what `make bench` measured with
 * and without these. */
#include "footprint.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* glibc gives each thread that allocates its own arena, up to 8 per core: one per database
 * worker on a small machine, each keeping its own free pages. Two are enough: the HTTP threads'
 * per-request allocations come from glibc's per-thread cache, not from an arena's lock. */
#define FOOTPRINT_ARENAS 2

void footprint_limit_arenas(void)
{
    mallopt(M_ARENA_MAX, FOOTPRINT_ARENAS);
}

/* A mapping is released only when it is backed by a file, private, not writable and holds no
 * page of its own (Anonymous: 0 kB): every page then reads back from the file unchanged.
 * Relocated data (RELRO: read-only now, but written by the loader) has anonymous pages and
 * is kept, as is everything writable. */
size_t footprint_release_startup_pages(void)
{
    FILE *smaps = fopen("/proc/self/smaps", "re");
    if (!smaps)
        return 0;
    char line[4352];
    unsigned long start = 0, end = 0, rss_kib = 0, released_kib = 0;
    bool candidate = false;
    while (fgets(line, sizeof line, smaps)) {
        unsigned long vma_start, vma_end, offset, inode, value;
        unsigned major, minor;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &vma_start, &vma_end, perms, &offset, &major,
                   &minor, &inode) == 7) {
            start = vma_start;
            end = vma_end;
            candidate = inode != 0 && perms[1] == '-' && perms[3] == 'p';
            rss_kib = 0;
        } else if (candidate && sscanf(line, "Rss: %lu kB", &value) == 1) {
            rss_kib = value;
        } else if (candidate && sscanf(line, "Anonymous: %lu kB", &value) == 1) {
            if (value == 0 && rss_kib > 0 &&
                madvise((void *)start, end - start, MADV_DONTNEED) == 0)
                released_kib += rss_kib;
            candidate = false;
        }
    }
    fclose(smaps);
    return released_kib;
}

void footprint_trim(void)
{
    malloc_trim(0);
}
