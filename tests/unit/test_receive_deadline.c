/* Unit tests of receive_deadline on real loopback TCP connections, with the sweep driven by
 * the test's own clock: which connections are cut, when, and which are left alone. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "receive_deadline.h"
#include "timing.h"

#define LIMIT_MS 1000
#define SECOND_US 1000000

/* One client/server pair on loopback: the server end is what libmicrohttpd would own. */
struct pair {
    int client, server;
};

static struct pair pair_open(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(listener >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    assert_int_equal(bind(listener, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&address, &length), 0);
    assert_int_equal(listen(listener, 1), 0);
    struct pair pair = {.client = socket(AF_INET, SOCK_STREAM, 0)};
    assert_int_equal(connect(pair.client, (struct sockaddr *)&address, sizeof address), 0);
    pair.server = accept(listener, NULL, NULL);
    assert_true(pair.server >= 0);
    close(listener);
    return pair;
}

static void pair_close(struct pair *pair)
{
    close(pair->client);
    close(pair->server);
}

static void client_send(struct pair *pair, const char *text)
{
    assert_int_equal(send(pair->client, text, strlen(text), 0), (ssize_t)strlen(text));
    usleep(20000); /* let it reach the server's socket */
}

/* Reads what the server end received, as libmicrohttpd would. */
static void server_drain(struct pair *pair)
{
    char buffer[256];
    while (recv(pair->server, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
    }
}

/* True when the server end was shut down: the client reads the end of the stream. */
static bool client_sees_end(struct pair *pair)
{
    struct pollfd poll_fd = {.fd = pair->client, .events = POLLIN};
    if (poll(&poll_fd, 1, 100) != 1)
        return false;
    char byte;
    return recv(pair->client, &byte, 1, MSG_DONTWAIT) == 0;
}

static void test_a_request_dripping_past_the_deadline_is_cut(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(LIMIT_MS, NULL);
    struct pair pair = pair_open();
    struct receive_deadline_connection *c = receive_deadline_open(deadline, pair.server);
    int64_t t0 = timing_now_us();
    assert_int_equal(receive_deadline_sweep(deadline, t0), 0); /* nothing sent: idle */

    client_send(&pair, "GET / HTTP/1.1\r\nHo");
    server_drain(&pair);
    assert_int_equal(receive_deadline_sweep(deadline, t0), 0); /* the request has begun */
    client_send(&pair, "s");
    assert_int_equal(receive_deadline_sweep(deadline, t0 + SECOND_US - 1), 0);
    assert_false(client_sees_end(&pair));
    assert_int_equal(receive_deadline_sweep(deadline, t0 + SECOND_US), 1);
    assert_true(receive_deadline_was_cut(c));
    assert_true(client_sees_end(&pair));
    assert_int_equal(receive_deadline_sweep(deadline, t0 + 2 * SECOND_US), 0); /* once */
    assert_int_equal(receive_deadline_cut_total(deadline), 1);

    /* a cut is final: the server's late calls do not revive the connection */
    receive_deadline_request_begun(c);
    receive_deadline_request_answered(c);
    assert_true(receive_deadline_was_cut(c));

    receive_deadline_close(deadline, c);
    pair_close(&pair);
    receive_deadline_free(deadline);
}

static void test_an_idle_keep_alive_connection_is_not_timed(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(LIMIT_MS, NULL);
    struct pair pair = pair_open();
    struct receive_deadline_connection *c = receive_deadline_open(deadline, pair.server);
    int64_t t0 = timing_now_us();

    /* a whole request arrives and is answered between two sweeps */
    client_send(&pair, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    server_drain(&pair);
    receive_deadline_request_begun(c);
    receive_deadline_request_received(c);
    receive_deadline_request_answered(c);
    for (int s = 0; s < 10; s++)
        assert_int_equal(receive_deadline_sweep(deadline, t0 + s * SECOND_US), 0);
    assert_false(client_sees_end(&pair));

    /* the same when the sweep saw its bytes before the server had the headers */
    client_send(&pair, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    int64_t t1 = timing_now_us();
    assert_int_equal(receive_deadline_sweep(deadline, t1), 0);
    server_drain(&pair);
    receive_deadline_request_begun(c);
    receive_deadline_request_received(c);
    receive_deadline_request_answered(c);
    for (int s = 1; s < 10; s++)
        assert_int_equal(receive_deadline_sweep(deadline, t1 + s * SECOND_US), 0);
    assert_false(receive_deadline_was_cut(c));

    receive_deadline_close(deadline, c);
    pair_close(&pair);
    receive_deadline_free(deadline);
}

static void test_answering_is_not_timed(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(LIMIT_MS, NULL);
    struct pair pair = pair_open();
    struct receive_deadline_connection *c = receive_deadline_open(deadline, pair.server);
    client_send(&pair, "POST /highscores HTTP/1.1\r\n\r\nname=x");
    server_drain(&pair);
    receive_deadline_request_begun(c);
    receive_deadline_request_received(c); /* e.g. waiting on a slow database */
    int64_t t0 = timing_now_us();
    assert_int_equal(receive_deadline_sweep(deadline, t0 + 30 * SECOND_US), 0);
    assert_false(client_sees_end(&pair));
    receive_deadline_close(deadline, c);
    pair_close(&pair);
    receive_deadline_free(deadline);
}

static void test_a_half_request_after_an_idle_pause_is_timed(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(LIMIT_MS, NULL);
    struct pair pair = pair_open();
    struct receive_deadline_connection *c = receive_deadline_open(deadline, pair.server);
    client_send(&pair, "GET / HTTP/1.1\r\n\r\n");
    server_drain(&pair);
    receive_deadline_request_begun(c);
    receive_deadline_request_received(c);
    receive_deadline_request_answered(c);
    usleep(50000);                            /* well past the margin after the answer */
    client_send(&pair, "GET / HTTP/1.1\r\n"); /* and nothing more */
    server_drain(&pair);
    int64_t t0 = timing_now_us();
    /* the first sweep of this idle period sees bytes that came after the answer */
    assert_int_equal(receive_deadline_sweep(deadline, t0), 0);
    assert_int_equal(receive_deadline_sweep(deadline, t0 + SECOND_US), 1);
    assert_true(client_sees_end(&pair));
    receive_deadline_close(deadline, c);
    pair_close(&pair);
    receive_deadline_free(deadline);
}

static void test_without_a_deadline_nothing_is_tracked(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(0, NULL);
    assert_true(receive_deadline_run(deadline)); /* no thread needed */
    struct pair pair = pair_open();
    assert_null(receive_deadline_open(deadline, pair.server));
    client_send(&pair, "GET");
    assert_int_equal(receive_deadline_sweep(deadline, timing_now_us() + 60 * SECOND_US), 0);
    receive_deadline_request_begun(NULL);
    receive_deadline_request_answered(NULL);
    receive_deadline_close(deadline, NULL);
    assert_false(client_sees_end(&pair));
    pair_close(&pair);
    receive_deadline_free(deadline);
}

static void test_the_sweeper_thread_cuts_on_its_own(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(200, NULL); /* swept every 20 ms */
    assert_true(receive_deadline_run(deadline));
    struct pair pair = pair_open();
    struct receive_deadline_connection *c = receive_deadline_open(deadline, pair.server);
    client_send(&pair, "GET / HT");
    bool cut = false;
    for (int i = 0; i < 100 && !cut; i++) {
        usleep(10000);
        cut = receive_deadline_was_cut(c);
    }
    assert_true(cut);
    assert_true(client_sees_end(&pair));
    receive_deadline_close(deadline, c);
    pair_close(&pair);
    receive_deadline_free(deadline);
}

static void test_many_connections_open_and_close(void **state)
{
    (void)state;
    struct receive_deadline *deadline = receive_deadline_new(LIMIT_MS, NULL);
    enum { N = 64 };
    struct pair pairs[N];
    struct receive_deadline_connection *c[N];
    for (int i = 0; i < N; i++) {
        pairs[i] = pair_open();
        c[i] = receive_deadline_open(deadline, pairs[i].server);
    }
    for (int i = 0; i < N; i += 2) /* unlink from the middle, the head and the tail */
        receive_deadline_close(deadline, c[i]);
    for (int i = 1; i < N; i += 2)
        assert_int_equal(send(pairs[i].client, "G", 1, 0), 1);
    usleep(20000);
    int64_t t0 = timing_now_us();
    assert_int_equal(receive_deadline_sweep(deadline, t0), 0);
    assert_int_equal(receive_deadline_sweep(deadline, t0 + SECOND_US), N / 2);
    for (int i = 1; i < N; i += 2)
        receive_deadline_close(deadline, c[i]);
    for (int i = 0; i < N; i++)
        pair_close(&pairs[i]);
    assert_int_equal(receive_deadline_cut_total(deadline), N / 2);
    receive_deadline_free(deadline);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_request_dripping_past_the_deadline_is_cut),
        cmocka_unit_test(test_an_idle_keep_alive_connection_is_not_timed),
        cmocka_unit_test(test_answering_is_not_timed),
        cmocka_unit_test(test_a_half_request_after_an_idle_pause_is_timed),
        cmocka_unit_test(test_without_a_deadline_nothing_is_tracked),
        cmocka_unit_test(test_the_sweeper_thread_cuts_on_its_own),
        cmocka_unit_test(test_many_connections_open_and_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
