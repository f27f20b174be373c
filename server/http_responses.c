/* http_responses: common headers and the prebuilt static answers. */
#include "http_responses.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "static_files.h"

static const char http_responses_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/* The four prebuilt answers for one file: 200 and 304, plain and gzip. */
struct http_responses_file {
    struct MHD_Response *plain, *plain_not_modified;
    struct MHD_Response *gzip, *gzip_not_modified;
};

struct http_responses {
    const struct static_files *files;
    struct http_responses_file **sets; /* each parallel to files->files */
    size_t set_count;
    atomic_uint next_set;
};

void http_responses_add_common_headers(struct MHD_Response *response)
{
    MHD_add_response_header(response, "Content-Security-Policy", http_responses_csp);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "DENY");
    MHD_add_response_header(response, "Cross-Origin-Opener-Policy", "same-origin");
}

/* One answer for file: status 200 with body (gzip or not) or 304 without. The body is the
 * loaded file itself (MHD_RESPMEM_PERSISTENT: never copied). */
static struct MHD_Response *http_responses_build(const struct static_file *file, bool gzip,
                                                 bool not_modified, bool close)
{
    const char *data = gzip ? file->gzip_data : file->data;
    size_t size = not_modified ? 0 : gzip ? file->gzip_size : file->size;
    struct MHD_Response *response = MHD_create_response_from_buffer(
        size, (void *)(uintptr_t)(not_modified ? "" : data), MHD_RESPMEM_PERSISTENT);
    if (!response)
        return NULL;
    http_responses_add_common_headers(response);
    if (!not_modified)
        MHD_add_response_header(response, "Content-Type", file->content_type);
    MHD_add_response_header(response, "Cache-Control", file->cache_control);
    MHD_add_response_header(response, "ETag", gzip ? file->gzip_etag : file->etag);
    if (file->gzip_data)
        MHD_add_response_header(response, "Vary", "Accept-Encoding");
    if (gzip && !not_modified)
        MHD_add_response_header(response, "Content-Encoding", "gzip");
    if (close)
        MHD_add_response_header(response, "Connection", "close");
    return response;
}

struct MHD_Response *http_responses_static_closing(const struct static_file *file, bool gzip,
                                                   bool not_modified)
{
    return http_responses_build(file, gzip, not_modified, true);
}

static bool http_responses_build_file(struct http_responses_file *r, const struct static_file *file)
{
    r->plain = http_responses_build(file, false, false, false);
    r->plain_not_modified = http_responses_build(file, false, true, false);
    if (!r->plain || !r->plain_not_modified)
        return false;
    if (!file->gzip_data)
        return true;
    r->gzip = http_responses_build(file, true, false, false);
    r->gzip_not_modified = http_responses_build(file, true, true, false);
    return r->gzip && r->gzip_not_modified;
}

struct http_responses *http_responses_new(const struct static_files *files, size_t sets)
{
    struct http_responses *responses = calloc(1, sizeof *responses);
    if (!responses)
        return NULL;
    responses->files = files;
    responses->set_count = sets ? sets : 1;
    responses->sets = calloc(responses->set_count, sizeof *responses->sets);
    if (!responses->sets) {
        free(responses);
        return NULL;
    }
    for (size_t set = 0; set < responses->set_count; set++) {
        responses->sets[set] = calloc(files->count ? files->count : 1, sizeof **responses->sets);
        if (!responses->sets[set]) {
            http_responses_free(responses);
            return NULL;
        }
        for (size_t i = 0; i < files->count; i++)
            if (!http_responses_build_file(&responses->sets[set][i], &files->files[i])) {
                http_responses_free(responses);
                return NULL;
            }
    }
    return responses;
}

void http_responses_free(struct http_responses *responses)
{
    if (!responses)
        return;
    for (size_t set = 0; set < responses->set_count && responses->sets[set]; set++) {
        for (size_t i = 0; i < responses->files->count; i++) {
            struct http_responses_file *r = &responses->sets[set][i];
            struct MHD_Response *all[] = {r->plain, r->plain_not_modified, r->gzip,
                                          r->gzip_not_modified};
            for (size_t j = 0; j < 4; j++)
                if (all[j])
                    MHD_destroy_response(all[j]);
        }
        free(responses->sets[set]);
    }
    free(responses->sets);
    free(responses);
}

struct MHD_Response *http_responses_static(struct http_responses *responses,
                                           const struct static_file *file, bool gzip,
                                           bool not_modified)
{
    static _Thread_local const struct http_responses_file *mine;
    if (!mine)
        mine = responses->sets[atomic_fetch_add(&responses->next_set, 1) % responses->set_count];
    const struct http_responses_file *r = &mine[file - responses->files->files];
    return gzip ? (not_modified ? r->gzip_not_modified : r->gzip)
                : (not_modified ? r->plain_not_modified : r->plain);
}
