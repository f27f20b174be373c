/* static_files: loading, compressing and finding the game's files. */
#include "static_files.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "hex.h"

#define STATIC_MAX_FILES 4096
#define STATIC_MAX_BYTES (64u * 1024 * 1024)

struct static_files_loader {
    struct static_files *files;
    size_t capacity;
    char *error;
    size_t error_size;
};

static const struct {
    const char *extension;
    const char *type;
} static_files_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
    {".woff2", "font/woff2"},
    {".wasm", "application/wasm"},
};

const char *static_files_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof static_files_types / sizeof static_files_types[0]; i++)
            if (strcasecmp(dot, static_files_types[i].extension) == 0)
                return static_files_types[i].type;
    return "application/octet-stream";
}

static bool static_files_compressible(const char *content_type)
{
    return strncmp(content_type, "text/", 5) == 0 || strstr(content_type, "json") ||
           strstr(content_type, "svg");
}

/* FNV-1a: a content hash is enough for an ETag; this is not a security boundary. */
static uint64_t static_files_hash(const char *data, size_t size)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++) {
        hash ^= (unsigned char)data[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

/* gzip-compresses data at the best level; NULL when it fails or saves under 10%. */
static char *static_files_gzip(const char *data, size_t size, size_t *out_size)
{
    z_stream stream = {0};
    if (deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t bound = deflateBound(&stream, size);
    char *out = malloc(bound);
    if (out) {
        stream.next_in = (Bytef *)(uintptr_t)data;
        stream.avail_in = (uInt)size;
        stream.next_out = (Bytef *)out;
        stream.avail_out = (uInt)bound;
        if (deflate(&stream, Z_FINISH) != Z_STREAM_END || stream.total_out >= size * 9 / 10) {
            free(out);
            out = NULL;
        } else {
            *out_size = stream.total_out;
        }
    }
    deflateEnd(&stream);
    return out;
}

static bool static_files_read_file(const char *full_path, size_t size, char **out)
{
    int fd = open(full_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    char *data = malloc(size ? size : 1);
    size_t done = 0;
    while (data && done < size) {
        ssize_t n = read(fd, data + done, size - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    if (!data || done != size) {
        free(data);
        return false;
    }
    *out = data;
    return true;
}

static bool static_files_add(struct static_files_loader *loader, const char *url_path,
                             const char *full_path, size_t size)
{
    struct static_files *files = loader->files;
    if (files->count == STATIC_MAX_FILES || files->total_bytes + size > STATIC_MAX_BYTES) {
        snprintf(loader->error, loader->error_size, "STATIC_DIR holds more than %d files or %u MiB",
                 STATIC_MAX_FILES, STATIC_MAX_BYTES >> 20);
        return false;
    }
    if (files->count == loader->capacity) {
        size_t capacity = loader->capacity ? loader->capacity * 2 : 64;
        struct static_file *grown = realloc(files->files, capacity * sizeof *grown);
        if (!grown)
            goto no_memory;
        files->files = grown;
        loader->capacity = capacity;
    }
    struct static_file *file = &files->files[files->count];
    memset(file, 0, sizeof *file);
    file->path = strdup(url_path);
    if (!file->path)
        goto no_memory;
    if (!static_files_read_file(full_path, size, &file->data)) {
        snprintf(loader->error, loader->error_size, "cannot read %s", full_path);
        free(file->path);
        return false;
    }
    file->size = size;
    file->content_type = static_files_content_type(url_path);
    /* no-cache means "revalidate": an ETag check costs one small 304, and a rolling update
     * never leaves a browser running a new page with old modules. */
    file->cache_control = "no-cache";
    uint64_t hash = static_files_hash(file->data, size);
    snprintf(file->etag, sizeof file->etag, "\"%016llx\"", (unsigned long long)hash);
    snprintf(file->gzip_etag, sizeof file->gzip_etag, "\"%016llx-gz\"", (unsigned long long)hash);
    if (static_files_compressible(file->content_type))
        file->gzip_data = static_files_gzip(file->data, size, &file->gzip_size);
    files->count++;
    files->total_bytes += size;
    return true;
no_memory:
    snprintf(loader->error, loader->error_size, "out of memory loading STATIC_DIR");
    return false;
}

static bool static_files_walk(struct static_files_loader *loader, const char *dir,
                              const char *url_prefix, int depth)
{
    if (depth > 16) {
        snprintf(loader->error, loader->error_size, "STATIC_DIR is nested too deeply");
        return false;
    }
    DIR *handle = opendir(dir);
    if (!handle) {
        snprintf(loader->error, loader->error_size, "cannot read directory %s", dir);
        return false;
    }
    bool ok = true;
    struct dirent *entry;
    while (ok && (entry = readdir(handle))) {
        if (entry->d_name[0] == '.')
            continue; /* dot-files, . and .. */
        char full_path[4096], url_path[4096];
        struct stat info;
        if ((size_t)snprintf(full_path, sizeof full_path, "%s/%s", dir, entry->d_name) >=
                sizeof full_path ||
            (size_t)snprintf(url_path, sizeof url_path, "%s/%s", url_prefix, entry->d_name) >=
                sizeof url_path)
            continue;
        if (lstat(full_path, &info) != 0 || S_ISLNK(info.st_mode))
            continue;
        if (S_ISDIR(info.st_mode))
            ok = static_files_walk(loader, full_path, url_path, depth + 1);
        else if (S_ISREG(info.st_mode) && static_files_path_is_clean(url_path))
            ok = static_files_add(loader, url_path, full_path, (size_t)info.st_size);
    }
    closedir(handle);
    return ok;
}

static int static_files_compare(const void *a, const void *b)
{
    return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

bool static_files_load(struct static_files *files, const char *dir, char *error, size_t error_size)
{
    memset(files, 0, sizeof *files);
    struct static_files_loader loader = {files, 0, error, error_size};
    if (!static_files_walk(&loader, dir, "", 0)) {
        static_files_free(files);
        return false;
    }
    if (files->count)
        qsort(files->files, files->count, sizeof files->files[0], static_files_compare);
    return true;
}

void static_files_free(struct static_files *files)
{
    for (size_t i = 0; i < files->count; i++) {
        free(files->files[i].path);
        free(files->files[i].data);
        free(files->files[i].gzip_data);
    }
    free(files->files);
    memset(files, 0, sizeof *files);
}

bool static_files_path_is_clean(const char *path)
{
    if (path[0] != '/')
        return false;
    const char *segment = path + 1;
    for (const char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t length = (size_t)(p - segment);
            bool last = *p == '\0';
            if ((length == 0 && !last) || (length == 1 && segment[0] == '.') ||
                (length == 2 && segment[0] == '.' && segment[1] == '.'))
                return false;
            if (last)
                return true;
            segment = p + 1;
        } else if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\') {
            return false;
        }
    }
}

const struct static_file *static_files_lookup(const struct static_files *files, const char *path)
{
    if (!static_files_path_is_clean(path))
        return NULL;
    char with_index[512];
    size_t length = strlen(path);
    if (path[length - 1] == '/') {
        if ((size_t)snprintf(with_index, sizeof with_index, "%sindex.html", path) >=
            sizeof with_index)
            return NULL;
        path = with_index;
    }
    struct static_file key = {.path = (char *)(uintptr_t)path};
    return files->count
               ? bsearch(&key, files->files, files->count, sizeof key, static_files_compare)
               : NULL;
}

size_t static_files_unescape_path(char *path)
{
    char *out = path;
    for (const char *in = path; *in; in++) {
        int byte;
        if (in[0] == '%' && (byte = hex_byte(in + 1)) > 0) {
            *out++ = (char)byte;
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - path);
}

/* Finds token (case-insensitive) as a list element of header and returns its q-value
 * (1.0 when not given), or -1 when absent. */
static double static_files_list_quality(const char *header, const char *token)
{
    size_t token_length = strlen(token);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        bool match =
            (size_t)(p - start) == token_length && strncasecmp(start, token, token_length) == 0;
        double quality = 1.0;
        while (*p && *p != ',') {
            if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
                quality = strtod(p + 2, NULL);
                break;
            }
            p++;
        }
        if (match)
            return quality;
        while (*p && *p != ',')
            p++;
    }
    return -1;
}

bool static_files_accepts_gzip(const char *accept_encoding)
{
    if (!accept_encoding)
        return false;
    double quality = static_files_list_quality(accept_encoding, "gzip");
    if (quality < 0)
        quality = static_files_list_quality(accept_encoding, "*");
    return quality > 0;
}

bool static_files_etag_matches(const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    size_t etag_length = strlen(etag);
    const char *p = if_none_match;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *start = p;
        if (*p == '"') {
            p++;
            while (*p && *p != '"')
                p++;
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != ',')
                p++;
        }
        if ((size_t)(p - start) == etag_length && memcmp(start, etag, etag_length) == 0)
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}
