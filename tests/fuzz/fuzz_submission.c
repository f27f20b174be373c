/* Fuzzes the two validators that turn a parsed body into what the store writes:
 * highscores_read_score (POST /highscores) and players_read_stats (POST /user/stats),
 * and through them api_read_place. Whatever they accept must be exactly what the API
 * contract allows; whatever they refuse must come with a 400 JSON error.
 *
 * Input: first byte picks form or JSON, the rest is the body. */
#include <jansson.h>

#include "fuzz.h"
#include "highscores.h"
#include "input.h"
#include "place.h"
#include "players.h"
#include "reply.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static bool check_text(const char *text, size_t min_chars, size_t max_chars)
{
    size_t length = strlen(text);
    long chars = input_printable_chars(text, length);
    return chars >= 0 && (size_t)chars >= min_chars && (size_t)chars <= max_chars &&
           (length == 0 || (text[0] != ' ' && text[length - 1] != ' '));
}

static void check_place(const struct place *place)
{
    FUZZ_CHECK(check_text(place->cloud, 1, PLACE_CHARS));
    FUZZ_CHECK(check_text(place->zone, 1, PLACE_CHARS));
    FUZZ_CHECK(check_text(place->host, 1, PLACE_CHARS));
}

/* A refusal is a 400 whose body is {"error": "<non-empty text>"}. */
static void check_refusal(struct reply *reply)
{
    FUZZ_CHECK(reply->status == 400);
    FUZZ_CHECK(reply->body != NULL);
    json_error_t error;
    json_t *body = json_loadb(reply->body, reply->body_length, 0, &error);
    FUZZ_CHECK(json_is_object(body));
    const char *message = json_string_value(json_object_get(body, "error"));
    FUZZ_CHECK(message && message[0]);
    json_decref(body);
    reply_clear(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *type = data[0] & 1 ? "application/json" : "application/x-www-form-urlencoded";
    char *exact = malloc(size - 1 ? size - 1 : 1);
    if (!exact)
        abort();
    memcpy(exact, data + 1, size - 1);
    struct input input;
    char error[160];
    if (input_parse(&input, type, exact, size - 1, error, sizeof error) != INPUT_OK) {
        input_free(&input);
        free(exact);
        return 0;
    }

    struct reply reply = {0};
    struct store_score score;
    if (highscores_read_score(&input, &score, &reply)) {
        FUZZ_CHECK(reply.body == NULL);
        FUZZ_CHECK(check_text(score.name, 1, STORE_NAME_CHARS));
        FUZZ_CHECK(score.score >= 0 && score.score <= 10000000);
        FUZZ_CHECK(score.level >= 1 && score.level <= 999);
        FUZZ_CHECK(highscores_score_plausible(score.score, score.level));
        size_t id_length = strlen(score.submission_id);
        FUZZ_CHECK(id_length <= STORE_SUBMISSION_ID_CHARS);
        FUZZ_CHECK(strspn(score.submission_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                               "0123456789_-") == id_length);
        FUZZ_CHECK(id_length > 0 || input_find(&input, "submissionId") == NULL ||
                   input_find(&input, "submissionId")->value[0] == '\0');
        check_place(&score.place);
    } else {
        check_refusal(&reply);
    }

    struct store_player stats;
    if (players_read_stats(&input, &stats, &reply)) {
        FUZZ_CHECK(reply.body == NULL);
        FUZZ_CHECK(strlen(stats.id) == 24);
        FUZZ_CHECK(strspn(stats.id, "0123456789abcdef") == 24);
        FUZZ_CHECK(stats.score >= 0 && stats.score <= 10000000);
        FUZZ_CHECK(stats.level >= 1 && stats.level <= 999);
        FUZZ_CHECK(stats.lives >= 0 && stats.lives <= 99);
        FUZZ_CHECK(stats.elapsed_time >= 0 && stats.elapsed_time <= 86400);
        check_place(&stats.place);
    } else {
        check_refusal(&reply);
    }
    input_free(&input);
    free(exact);
    return 0;
}
