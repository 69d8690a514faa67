/*
 * drain: a minimal PostgreSQL v3 protocol client that runs one query and
 * throws the rows away, so a benchmark measures the server, not the client.
 *
 * It does only what a drain needs: the startup packet, an optional cleartext
 * password, then either a simple Query or (with -x) Parse/Bind/Describe/
 * Execute/Sync with text or (-b) binary results. It counts DataRow messages
 * and bytes while skipping payloads with a small state machine over large
 * recv() buffers; nothing is parsed past the 5-byte message headers (unless
 * -H asks for a hash of the DataRow payloads, to check that two servers send
 * the same bytes).
 *
 *   drain [-h host] [-p port] [-U user] [-W password] [-d db]
 *         [-x] [-b] [-H] [-r repeat] -c SQL
 *     prints one JSON line per run: rows, bytes (all backend bytes from the
 *     query to ReadyForQuery), seconds, first_row_ms (query sent -> first
 *     DataRow complete), connect_ms, hash (FNV-1a 64 of DataRow payloads, -H).
 *
 *   drain [...] -I N
 *     opens N connections one after the other (each through ReadyForQuery),
 *     prints {"connections":N,"open_seconds":s}, then keeps them open until
 *     stdin reaches EOF.
 *
 *   drain [...] -L SECONDS [-P CLIENTS] [-x | -S] -c SQL
 *     latency load: CLIENTS processes (default 1), one connection each, run
 *     SQL back to back for SECONDS, timing every query (send -> its
 *     ReadyForQuery) with CLOCK_MONOTONIC; prints queries, qps, avg/p50/p99
 *     ms, errors. -x sends Parse/Bind/Describe/Execute/Sync per query (as
 *     pgbench -M extended), -S parses a named statement once and sends
 *     Bind/Describe/Execute/Sync per query (as pgbench -M prepared).
 *     (pgbench's own per-transaction log reads 0 µs for many sub-millisecond
 *     transactions, so percentiles come from here.)
 *
 * Build: gcc -O2 -o drain drain.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECV_SIZE (4u << 20)

struct opts {
    const char *host, *port, *user, *password, *db, *sql;
    int extended, prepared, binary, hash, repeat, idle, clients;
    double load_seconds;
};

/* Per-run counters. */
struct stats {
    uint64_t rows, bytes, hash;
    double first_row, first_desc;
    char err[512];
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "drain: %s\n", what);
    exit(2);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("send failed");
        }
        p += w; n -= (size_t)w;
    }
}

/* Append a protocol message (type, payload) to buf at *len; buf is large. */
static void msg(unsigned char *buf, size_t *len, char type, const void *payload, size_t n)
{
    buf[(*len)++] = (unsigned char)type;
    put32(buf + *len, (uint32_t)(n + 4));
    *len += 4;
    memcpy(buf + *len, payload, n);
    *len += n;
}

static int dial(const struct opts *o)
{
    struct addrinfo hints = {0}, *res, *ai;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(o->host, o->port, &hints, &res) != 0) die("cannot resolve host");
    int fd = -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) die("cannot connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Read exactly n bytes (small control messages only). */
static void recv_all(int fd, unsigned char *buf, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, buf, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) die("connection closed by server");
        buf += r; n -= (size_t)r;
    }
}

/* Read one whole message into a malloc'ed buffer (startup phase only). */
static unsigned char *read_msg(int fd, char *type, uint32_t *len)
{
    unsigned char hdr[5];
    recv_all(fd, hdr, 5);
    *type = (char)hdr[0];
    *len = get32(hdr + 1) - 4;
    unsigned char *body = malloc(*len + 1);
    if (!body) die("out of memory");
    recv_all(fd, body, *len);
    body[*len] = 0;
    return body;
}

static void print_error(const unsigned char *body, uint32_t len, char *out, size_t cap)
{
    /* ErrorResponse: fields (code byte, cstring) ...; report S, C and M. */
    size_t o = 0;
    for (uint32_t i = 0; i < len && body[i];) {
        char code = (char)body[i++];
        const char *s = (const char *)body + i;
        if ((code == 'S' || code == 'C' || code == 'M') && o < cap)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", s);
        i += (uint32_t)strlen(s) + 1;
    }
}

/* Startup through the first ReadyForQuery; returns the socket. */
static int login(const struct opts *o)
{
    int fd = dial(o);
    unsigned char pkt[1024];
    size_t n = 8;
    put32(pkt + 4, 196608);
    n += (size_t)snprintf((char *)pkt + n, sizeof pkt - n, "user%c%s%cdatabase%c%s%c%c",
                          0, o->user, 0, 0, o->db, 0, 0);
    put32(pkt, (uint32_t)n);
    send_all(fd, pkt, n);
    for (;;) {
        char type;
        uint32_t len;
        unsigned char *body = read_msg(fd, &type, &len);
        if (type == 'R') {
            uint32_t code = len >= 4 ? get32(body) : 99;
            if (code == 3) {
                if (!o->password) die("server asks for a password (-W)");
                size_t m = 0;
                msg(pkt, &m, 'p', o->password, strlen(o->password) + 1);
                send_all(fd, pkt, m);
            } else if (code != 0) {
                die("unsupported authentication method (only trust and cleartext)");
            }
        } else if (type == 'E') {
            char err[512] = "";
            print_error(body, len, err, sizeof err);
            fprintf(stderr, "drain: login failed: %s\n", err);
            exit(2);
        } else if (type == 'Z') {
            free(body);
            return fd;
        }
        free(body);
    }
}

/* Build the request for one run of the query. */
static size_t build_query(const struct opts *o, unsigned char *buf)
{
    size_t len = 0, sql_len = strlen(o->sql) + 1;
    if (!o->extended) {
        msg(buf, &len, 'Q', o->sql, sql_len);
        return len;
    }
    unsigned char tmp[64];
    if (o->prepared) { /* the statement "rqb" was parsed at login */
        size_t b = 0;
        tmp[b++] = 0;                                 /* unnamed portal */
        memcpy(tmp + b, "rqb", 4); b += 4;
        tmp[b++] = 0; tmp[b++] = 0; tmp[b++] = 0; tmp[b++] = 0;
        tmp[b++] = 0; tmp[b++] = 1; tmp[b++] = 0; tmp[b++] = o->binary ? 1 : 0;
        msg(buf, &len, 'B', tmp, b);
        tmp[0] = 'P'; tmp[1] = 0;
        msg(buf, &len, 'D', tmp, 2);
        memset(tmp, 0, 5);
        msg(buf, &len, 'E', tmp, 5);
        msg(buf, &len, 'S', tmp, 0);
        return len;
    }
    /* Parse: unnamed statement, no parameter types. */
    unsigned char *p = malloc(sql_len + 8);
    if (!p) die("out of memory");
    p[0] = 0;
    memcpy(p + 1, o->sql, sql_len);
    memset(p + 1 + sql_len, 0, 2);
    msg(buf, &len, 'P', p, sql_len + 3);
    free(p);
    /* Bind: unnamed portal/statement, 0 params, one result format for all. */
    size_t b = 0;
    tmp[b++] = 0; tmp[b++] = 0;
    tmp[b++] = 0; tmp[b++] = 0;           /* param format codes */
    tmp[b++] = 0; tmp[b++] = 0;           /* params */
    tmp[b++] = 0; tmp[b++] = 1;           /* one result format code */
    tmp[b++] = 0; tmp[b++] = o->binary ? 1 : 0;
    msg(buf, &len, 'B', tmp, b);
    tmp[0] = 'P'; tmp[1] = 0;
    msg(buf, &len, 'D', tmp, 2);
    memset(tmp, 0, 5);                    /* Execute: unnamed portal, no limit */
    msg(buf, &len, 'E', tmp, 5);
    msg(buf, &len, 'S', tmp, 0);
    return len;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/*
 * Stream the response until ReadyForQuery. The state machine keeps the
 * current header (5 bytes) and how much payload is left to skip; ErrorResponse
 * bodies are collected (they are small) to report the message.
 */
static void drain_response(int fd, const struct opts *o, struct stats *st, double t0)
{
    static unsigned char *buf;
    if (!buf && !(buf = malloc(RECV_SIZE))) die("out of memory");
    unsigned char hdr[5], ebuf[2048];
    size_t hdr_have = 0, elen = 0;
    uint64_t left = 0;
    char type = 0;
    int in_body = 0;
    st->hash = 0xcbf29ce484222325ULL;
    for (;;) {
        ssize_t r = recv(fd, buf, RECV_SIZE, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) die("connection closed by server");
        st->bytes += (uint64_t)r;
        size_t i = 0, n = (size_t)r;
        while (i < n) {
            if (!in_body) {
                size_t take = 5 - hdr_have < n - i ? 5 - hdr_have : n - i;
                memcpy(hdr + hdr_have, buf + i, take);
                hdr_have += take; i += take;
                if (hdr_have < 5) break;
                type = (char)hdr[0];
                left = get32(hdr + 1) - 4;
                in_body = 1; hdr_have = 0; elen = 0;
                if (type == 'T' && st->first_desc < 0) st->first_desc = now() - t0;
            }
            size_t take = left < n - i ? (size_t)left : n - i;
            if (type == 'D' && o->hash) st->hash = fnv(st->hash, buf + i, take);
            if (type == 'E') {
                size_t c = take < sizeof ebuf - 1 - elen ? take : sizeof ebuf - 1 - elen;
                memcpy(ebuf + elen, buf + i, c);
                elen += c;
            }
            i += take; left -= take;
            if (left > 0) break;
            in_body = 0;
            if (type == 'D') {
                if (st->rows++ == 0) st->first_row = now() - t0;
            } else if (type == 'E') {
                ebuf[elen] = 0;
                if (!st->err[0]) print_error(ebuf, (uint32_t)elen, st->err, sizeof st->err);
            } else if (type == 'Z') {
                return;
            }
        }
    }
}

static void run_query(const struct opts *o)
{
    double c0 = now();
    int fd = login(o);
    double connect_s = now() - c0;
    size_t cap = strlen(o->sql) + 256;
    unsigned char *req = malloc(cap);
    if (!req) die("out of memory");
    size_t req_len = build_query(o, req);
    int rc = 0;
    for (int k = 0; k < o->repeat; k++) {
        struct stats st = {.first_row = -1, .first_desc = -1};
        double t0 = now();
        send_all(fd, req, req_len);
        drain_response(fd, o, &st, t0);
        double secs = now() - t0;
        printf("{\"rows\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"first_row_ms\": %.3f, "
               "\"first_desc_ms\": %.3f, \"connect_ms\": %.3f",
               (unsigned long long)st.rows, (unsigned long long)st.bytes, secs,
               st.first_row < 0 ? -1.0 : st.first_row * 1e3,
               st.first_desc < 0 ? -1.0 : st.first_desc * 1e3, connect_s * 1e3);
        if (o->hash) printf(", \"hash\": \"%016llx\"", (unsigned long long)st.hash);
        if (st.err[0]) {
            printf(", \"error\": \"");
            for (const char *s = st.err; *s; s++)
                if (*s != '"' && *s != '\\' && (unsigned char)*s >= 32) putchar(*s);
            printf("\"");
            rc = 1;
        }
        printf("}\n");
        fflush(stdout);
    }
    unsigned char term[5] = {'X', 0, 0, 0, 4};
    send_all(fd, term, 5);
    close(fd);
    free(req);
    exit(rc);
}

/* Parse the named statement "rqb" once (latency mode, -S). */
static void prepare_named(int fd, const struct opts *o)
{
    size_t sql_len = strlen(o->sql) + 1, len = 0;
    unsigned char *p = malloc(sql_len + 16), *req = malloc(sql_len + 64);
    if (!p || !req) die("out of memory");
    memcpy(p, "rqb", 4);
    memcpy(p + 4, o->sql, sql_len);
    memset(p + 4 + sql_len, 0, 2);
    msg(req, &len, 'P', p, sql_len + 6);
    msg(req, &len, 'S', p, 0);
    send_all(fd, req, len);
    struct stats st = {.first_row = -1, .first_desc = -1};
    drain_response(fd, o, &st, now());
    if (st.err[0]) {
        fprintf(stderr, "drain: prepare failed: %s\n", st.err);
        exit(2);
    }
    free(p);
    free(req);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* One latency client: returns the latencies (us) it measured in *out. */
static size_t load_client(const struct opts *o, double start, double deadline, uint32_t **out,
                          size_t *errors)
{
    int fd = login(o);
    if (o->prepared) prepare_named(fd, o);
    double wait = start - now();
    if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
    }
    unsigned char *req = malloc(strlen(o->sql) + 256);
    if (!req) die("out of memory");
    size_t req_len = build_query(o, req), n = 0, cap = 1 << 16;
    uint32_t *lat = malloc(cap * sizeof *lat);
    if (!lat) die("out of memory");
    for (;;) {
        double t0 = now();
        if (t0 >= deadline) break;
        struct stats st = {.first_row = -1, .first_desc = -1};
        send_all(fd, req, req_len);
        drain_response(fd, o, &st, t0);
        if (st.err[0]) (*errors)++;
        if (n == cap && !(lat = realloc(lat, (cap *= 2) * sizeof *lat))) die("out of memory");
        lat[n++] = (uint32_t)((now() - t0) * 1e6 + 0.5);
    }
    unsigned char term[5] = {'X', 0, 0, 0, 4};
    send_all(fd, term, 5);
    close(fd);
    free(req);
    *out = lat;
    return n;
}

/* Read exactly n bytes from a pipe; 0 on EOF first. */
static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        p += r; n -= (size_t)r;
    }
    return 1;
}

static void run_load(const struct opts *o)
{
    int k = o->clients < 1 ? 1 : o->clients;
    int *fds = calloc((size_t)k, sizeof *fds);
    if (!fds) die("out of memory");
    /* Every client connects first, then all start together. */
    double start = now() + 0.3 + 0.02 * k, deadline = start + o->load_seconds;
    for (int i = 0; i < k; i++) {
        int pfd[2];
        if (pipe(pfd) != 0) die("pipe failed");
        pid_t pid = fork();
        if (pid < 0) die("fork failed");
        if (pid == 0) {
            close(pfd[0]);
            uint32_t *lat;
            size_t errors = 0, n = load_client(o, start, deadline, &lat, &errors);
            uint64_t hdr[2] = {n, errors};
            if (write(pfd[1], hdr, sizeof hdr) != (ssize_t)sizeof hdr) _exit(2);
            for (size_t off = 0; off < n;) {
                ssize_t w = write(pfd[1], lat + off, (n - off) * sizeof *lat);
                if (w <= 0) _exit(2);
                off += (size_t)w / sizeof *lat;
            }
            _exit(0);
        }
        close(pfd[1]);
        fds[i] = pfd[0];
    }
    size_t total = 0, cap = 1 << 20;
    uint64_t errors = 0;
    uint32_t *all = malloc(cap * sizeof *all);
    if (!all) die("out of memory");
    for (int i = 0; i < k; i++) {
        uint64_t hdr[2];
        if (!read_full(fds[i], hdr, sizeof hdr)) die("a load client failed");
        while (total + hdr[0] > cap)
            if (!(all = realloc(all, (cap *= 2) * sizeof *all))) die("out of memory");
        if (!read_full(fds[i], all + total, hdr[0] * sizeof *all)) die("a load client failed");
        total += hdr[0];
        errors += hdr[1];
        close(fds[i]);
    }
    while (wait(NULL) > 0) {}
    qsort(all, total, sizeof *all, cmp_u32);
    double sum = 0;
    for (size_t i = 0; i < total; i++) sum += all[i];
    printf("{\"clients\": %d, \"queries\": %zu, \"seconds\": %.3f, \"qps\": %.1f, "
           "\"avg_ms\": %.4f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"errors\": %llu}\n",
           k, total, o->load_seconds, total / o->load_seconds,
           total ? sum / total / 1e3 : 0.0, total ? all[total / 2] / 1e3 : 0.0,
           total ? all[(size_t)(total * 0.99)] / 1e3 : 0.0, (unsigned long long)errors);
    free(all);
    free(fds);
    exit(0);
}

static void run_idle(const struct opts *o)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int *fds = calloc((size_t)o->idle, sizeof *fds);
    if (!fds) die("out of memory");
    double t0 = now();
    for (int i = 0; i < o->idle; i++) fds[i] = login(o);
    printf("{\"connections\": %d, \"open_seconds\": %.6f}\n", o->idle, now() - t0);
    fflush(stdout);
    char c[256];
    while (read(0, c, sizeof c) > 0) {}
    for (int i = 0; i < o->idle; i++) close(fds[i]);
    free(fds);
    exit(0);
}

int main(int argc, char **argv)
{
    struct opts o = {.host = "127.0.0.1", .port = "5432", .user = "postgres",
                     .db = "postgres", .repeat = 1};
    int c;
    while ((c = getopt(argc, argv, "h:p:U:W:d:c:xSbHr:I:L:P:")) != -1) {
        switch (c) {
        case 'h': o.host = optarg; break;
        case 'p': o.port = optarg; break;
        case 'U': o.user = optarg; break;
        case 'W': o.password = optarg; break;
        case 'd': o.db = optarg; break;
        case 'c': o.sql = optarg; break;
        case 'x': o.extended = 1; break;
        case 'S': o.extended = o.prepared = 1; break;
        case 'L': o.load_seconds = atof(optarg); break;
        case 'P': o.clients = atoi(optarg); break;
        case 'b': o.binary = 1; break;
        case 'H': o.hash = 1; break;
        case 'r': o.repeat = atoi(optarg); break;
        case 'I': o.idle = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: drain [-h host] [-p port] [-U user] [-W password] "
                            "[-d db] [-x|-S] [-b] [-H] [-r n] [-L secs [-P clients]] (-c SQL | -I N)\n");
            return 2;
        }
    }
    if (o.idle > 0) run_idle(&o);
    if (!o.sql) die("-c SQL is required");
    if (o.repeat < 1) o.repeat = 1;
    if (o.load_seconds > 0) run_load(&o);
    run_query(&o);
    return 0;
}
