/* The ceiling for `make bench`: the least an HTTP/1.1 server can do per request on this
 * machine. It answers every request with the same bytes, read from a file at start (bench.py
 * saves pacman's own answer there: status line, headers and body), in one write. No parsing
 * beyond finding the blank line that ends a request, no timers, no log, no allocation per
 * request. Threads as pacman's HTTP threads, each with its own listening socket (SO_REUSEPORT)
 * and its own epoll set, level-triggered.
 *
 *   ceiling PORT THREADS RESPONSE_FILE
 *
 * Requests with a body are not understood (GET and HEAD only, as wrk sends them). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CEILING_READ 4096

struct ceiling_connection {
    int fd;
    size_t matched;    /* bytes of "\r\n\r\n" seen at the end of what was read so far */
    size_t unsent;     /* answers owed */
    size_t first_sent; /* bytes of the first owed answer already written */
    bool want_out;     /* registered for EPOLLOUT: an answer is stuck half-written */
};

static const char *ceiling_answer;
static size_t ceiling_answer_size;
static int ceiling_port;

static int ceiling_listen(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_port = htons((uint16_t)ceiling_port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 4096) != 0) {
        perror("ceiling: listen");
        exit(1);
    }
    return fd;
}

/* Counts the requests that end in data (a blank line each), carrying a partial match over. */
static size_t ceiling_count_requests(struct ceiling_connection *c, const char *data, size_t n)
{
    static const char end[] = "\r\n\r\n";
    size_t requests = 0;
    for (size_t i = 0; i < n; i++) {
        if (data[i] == end[c->matched])
            c->matched++;
        else
            c->matched = data[i] == '\r' ? 1 : 0;
        if (c->matched == 4) {
            requests++;
            c->matched = 0;
        }
    }
    return requests;
}

/* Writes what is owed, one write per answer; false when the connection is gone. */
static bool ceiling_flush(struct ceiling_connection *c)
{
    while (c->unsent) {
        ssize_t n = send(c->fd, ceiling_answer + c->first_sent, ceiling_answer_size - c->first_sent,
                         MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN;
        c->first_sent += (size_t)n;
        if (c->first_sent == ceiling_answer_size) {
            c->first_sent = 0;
            c->unsent--;
        }
    }
    return true;
}

static void ceiling_close(int epoll, struct ceiling_connection *c)
{
    epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

static void *ceiling_thread(void *arg)
{
    (void)arg;
    int listener = ceiling_listen();
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event events[256];
    char buffer[CEILING_READ];
    for (;;) {
        int ready = epoll_wait(epoll, events, 256, -1);
        for (int i = 0; i < ready; i++) {
            struct ceiling_connection *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct ceiling_connection *fresh = calloc(1, sizeof *fresh);
                    if (!fresh) {
                        close(fd);
                        continue;
                    }
                    fresh->fd = fd;
                    struct epoll_event add = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = fresh};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &add);
                }
                continue;
            }
            if (events[i].events & EPOLLIN) {
                ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
                if (n == 0 || (n < 0 && errno != EAGAIN)) {
                    ceiling_close(epoll, c);
                    continue;
                }
                if (n > 0)
                    c->unsent += ceiling_count_requests(c, buffer, (size_t)n);
            } else if (events[i].events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
                ceiling_close(epoll, c);
                continue;
            }
            if (!ceiling_flush(c)) {
                ceiling_close(epoll, c);
                continue;
            }
            if ((c->unsent > 0) != c->want_out) { /* wait for room only while stuck */
                c->want_out = c->unsent > 0;
                struct epoll_event mod = {
                    .events = EPOLLIN | EPOLLRDHUP | (c->want_out ? EPOLLOUT : 0), .data.ptr = c};
                epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &mod);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ceiling PORT THREADS RESPONSE_FILE\n");
        return 2;
    }
    ceiling_port = atoi(argv[1]);
    int threads = atoi(argv[2]);
    FILE *file = fopen(argv[3], "rb");
    struct stat info;
    if (!file || fstat(fileno(file), &info) != 0 || info.st_size <= 0) {
        perror("ceiling: response file");
        return 1;
    }
    ceiling_answer_size = (size_t)info.st_size;
    char *answer = malloc(ceiling_answer_size);
    if (!answer || fread(answer, 1, ceiling_answer_size, file) != ceiling_answer_size) {
        perror("ceiling: reading the response file");
        return 1;
    }
    fclose(file);
    ceiling_answer = answer;
    signal(SIGPIPE, SIG_IGN);
    pthread_t thread;
    for (int i = 1; i < threads; i++)
        pthread_create(&thread, NULL, ceiling_thread, NULL);
    ceiling_thread(NULL);
    return 0;
}
