/*
 * test_tls.c — rq_tls: in-memory handshakes between an rq_tls server and an
 * OpenSSL client with its own memory BIOs, bulk data both ways, close_notify,
 * ALPN, and configuration errors. Certificates are generated at run time with
 * the `openssl` command-line tool in a private temporary directory.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rq_tls.h"

static int g_pass, g_fail;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            g_pass++;                                                            \
        } else {                                                                 \
            g_fail++;                                                            \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                        \
    } while (0)

static char g_dir[] = "/tmp/rq_test_tls_XXXXXX";

static void path(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", g_dir, name);
}

/* Run a shell command inside the temp dir; 0 on success. */
static int sh(const char *inner) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && ( %s ) </dev/null >/dev/null 2>&1", g_dir, inner);
    return system(cmd) != 0;
}

/* First line of a file (to check which PEM flavour the tool produced). */
static int file_starts_with(const char *name, const char *prefix) {
    char p[512], line[256] = {0};
    path(p, sizeof p, name);
    FILE *f = fopen(p, "r");
    if (f == NULL) return 0;
    int ok = fgets(line, sizeof line, f) != NULL && strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return ok;
}

static int gen_certs(void) {
    int rc = 0;
    /* RSA, PKCS#8 key ("BEGIN PRIVATE KEY") + self-signed cert. */
    rc |= sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa8.key -out rsa.crt"
             " -subj /CN=localhost -days 2");
    /* Same key as PKCS#1 ("BEGIN RSA PRIVATE KEY"). */
    rc |= sh("openssl rsa -in rsa8.key -traditional -out rsa1.key");
    /* EC SEC1 key; keep the "EC PARAMETERS" block that ecparam writes first. */
    rc |= sh("openssl ecparam -name prime256v1 -genkey -out ec.key");
    rc |= sh("openssl req -x509 -new -key ec.key -out ec.crt -subj /CN=localhost -days 2");
    /* A second, unrelated RSA key for the mismatch test. */
    rc |= sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key");
    /* Encrypted PKCS#8: must be rejected without prompting. */
    rc |= sh("openssl pkcs8 -topk8 -in rsa8.key -v2 aes-256-cbc -passout pass:secret -out enc.key");
    rc |= sh("echo 'not a certificate' > junk.crt");
    /* Certificate and key in one file. */
    rc |= sh("cat rsa.crt rsa8.key > combined.pem");
    return rc;
}

/* ---- client side ---- */

typedef struct client {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio, *wbio;
} client;

static int client_new(client *c, const char *ca_name, const unsigned char *alpn,
                      unsigned alpn_len, int max_version) {
    char ca[512];
    path(ca, sizeof ca, ca_name);
    memset(c, 0, sizeof *c);
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (c->ctx == NULL) return -1;
    if (max_version) {
        SSL_CTX_set_min_proto_version(c->ctx, max_version);
        SSL_CTX_set_max_proto_version(c->ctx, max_version);
        SSL_CTX_set_cipher_list(c->ctx, "DEFAULT:@SECLEVEL=0");
    }
    if (SSL_CTX_load_verify_locations(c->ctx, ca, NULL) != 1) return -1;
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    c->ssl = SSL_new(c->ctx);
    c->rbio = BIO_new(BIO_s_mem());
    c->wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(c->rbio, -1);
    SSL_set_bio(c->ssl, c->rbio, c->wbio);
    SSL_set_connect_state(c->ssl);
    SSL_set1_host(c->ssl, "localhost");
    if (alpn != NULL && SSL_set_alpn_protos(c->ssl, alpn, alpn_len) != 0) return -1;
    return 0;
}

static void client_free(client *c) {
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
}

/*
 * Move everything the client wrote into the server, `chunk` bytes per feed
 * (simulating uv_read). After each feed: advance the handshake (plain ==
 * NULL; returns the last rq_tls_handshake status) or decrypt into `plain`.
 */
static int client_to_server(client *c, rq_tls *s, size_t chunk, rq_buf *plain, rq_error *err) {
    uint8_t buf[65536];
    int rc = plain ? RQ_OK : RQ_EAGAIN;
    if (chunk > sizeof buf) chunk = sizeof buf;
    for (;;) {
        int n = BIO_read(c->wbio, buf, (int)chunk);
        if (n <= 0) break;
        if (rq_tls_feed(s, buf, (size_t)n, err) != RQ_OK) return RQ_ENOMEM;
        rc = plain ? rq_tls_read(s, plain, err) : rq_tls_handshake(s, err);
        if (rc != RQ_OK && rc != RQ_EAGAIN) break;
    }
    if (plain == NULL && rc == RQ_EAGAIN) rc = rq_tls_handshake(s, err);
    return rc;
}

/* Move all pending server output into the client's input BIO. */
static int server_to_client(rq_tls *s, client *c) {
    rq_buf out = {0};
    rq_error err;
    if (rq_tls_take_output(s, &out, &err) != RQ_OK) return -1;
    if (out.len > 0 && BIO_write(c->rbio, out.data, (int)out.len) != (int)out.len) return -1;
    rq_buf_free(&out);
    return 0;
}

/* Drive both sides until the handshake completes. 0 ok, -1 fail. */
static int handshake(rq_tls *s, client *c, size_t chunk, rq_error *serr) {
    int c_done = 0, s_done = 0;
    for (int i = 0; i < 100 && !(c_done && s_done); i++) {
        if (!c_done) {
            ERR_clear_error();
            int r = SSL_do_handshake(c->ssl);
            if (r == 1) c_done = 1;
            else if (SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) c_done = -1;
        }
        int rc = client_to_server(c, s, chunk, NULL, serr);
        if (rc == RQ_OK) s_done = 1;
        else if (rc != RQ_EAGAIN) s_done = -1;
        server_to_client(s, c);
        if (c_done < 0 || s_done < 0) break;
    }
    return (c_done == 1 && s_done == 1) ? 0 : -1;
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed) {
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

/* Server → client: rq_tls_write then the client reads everything. */
static int send_to_client(rq_tls *s, client *c, const uint8_t *data, size_t n) {
    rq_error err;
    if (rq_tls_write(s, data, n, &err) != RQ_OK) return -1;
    if (server_to_client(s, c) != 0) return -1;
    uint8_t *got = malloc(n + 1);
    size_t len = 0;
    for (;;) {
        size_t r = 0;
        if (SSL_read_ex(c->ssl, got + len, n + 1 - len, &r) != 1) break;
        len += r;
        if (len > n) break;
    }
    int ok = len == n && memcmp(got, data, n) == 0;
    free(got);
    return ok ? 0 : -1;
}

/* Client → server: SSL_write, then feed the server 64 KiB at a time. */
static int send_to_server(rq_tls *s, client *c, const uint8_t *data, size_t n) {
    size_t w = 0;
    if (n > 0 && SSL_write_ex(c->ssl, data, n, &w) != 1) return -1;
    if (w != n) return -1;
    rq_buf plain = {0};
    rq_error err;
    int rc = client_to_server(c, s, 65536, &plain, &err);
    int ok = rc == 0 && plain.len == n && memcmp(plain.data, data, n) == 0;
    rq_buf_free(&plain);
    return ok ? 0 : -1;
}

/* Full session test with one key flavour. */
static void session_test(const char *label, const char *crt, const char *key, size_t chunk) {
    char cp[512], kp[512];
    path(cp, sizeof cp, crt);
    path(kp, sizeof kp, key);
    rq_tls_ctx *ctx = NULL;
    rq_error err;
    rq_error_clear(&err);
    int rc = rq_tls_ctx_new(cp, kp, &ctx, &err);
    if (rc != RQ_OK) fprintf(stderr, "%s: ctx error: %s\n", label, err.message);
    CHECK(rc == RQ_OK && ctx != NULL);
    if (ctx == NULL) return;
    rq_tls *s = NULL;
    CHECK(rq_tls_new(ctx, &s, &err) == RQ_OK);
    client c;
    static const unsigned char alpn[] = "\x0apostgresql";
    CHECK(client_new(&c, crt, alpn, sizeof alpn - 1, 0) == 0);
    /* The session must keep working after the shared ctx is released. */
    rq_tls_ctx_free(ctx);

    rq_buf plain = {0};
    CHECK(rq_tls_read(s, &plain, &err) == RQ_ERR); /* before handshake */
    int hs = handshake(s, &c, chunk, &err);
    if (hs != 0) fprintf(stderr, "%s: handshake failed: %s\n", label, err.message);
    CHECK(hs == 0);
    CHECK(rq_tls_handshake(s, &err) == RQ_OK); /* idempotent */
    CHECK(rq_tls_alpn_postgresql(s) == 1);
    CHECK(SSL_get_verify_result(c.ssl) == X509_V_OK);
    CHECK(SSL_version(c.ssl) == TLS1_3_VERSION);

    /* Nothing fed: read returns RQ_OK with no bytes. */
    CHECK(rq_tls_read(s, &plain, &err) == RQ_OK && plain.len == 0);

    /* Small messages both ways. */
    CHECK(send_to_client(s, &c, (const uint8_t *)"hello client", 12) == 0);
    CHECK(send_to_server(s, &c, (const uint8_t *)"hello server", 12) == 0);

    /* 5 MB both ways. */
    size_t big = 5u * 1024 * 1024;
    uint8_t *data = malloc(big);
    fill_pattern(data, big, 7);
    CHECK(send_to_client(s, &c, data, big) == 0);
    fill_pattern(data, big, 11);
    CHECK(send_to_server(s, &c, data, big) == 0);
    free(data);

    /* Several writes before one take_output: records accumulate in order. */
    CHECK(rq_tls_write(s, (const uint8_t *)"ab", 2, &err) == RQ_OK);
    CHECK(rq_tls_write(s, (const uint8_t *)"cd", 2, &err) == RQ_OK);
    CHECK(rq_tls_pending(s) > 4);
    CHECK(server_to_client(s, &c) == 0);
    CHECK(rq_tls_pending(s) == 0);
    char four[8] = {0};
    size_t got4 = 0;
    CHECK(SSL_read_ex(c.ssl, four, sizeof four, &got4) == 1);
    if (got4 == 2) { /* one record per write: read the second */
        size_t more = 0;
        CHECK(SSL_read_ex(c.ssl, four + 2, sizeof four - 2, &more) == 1);
        got4 += more;
    }
    CHECK(got4 == 4 && memcmp(four, "abcd", 4) == 0);

    /* Server close_notify reaches the client. */
    CHECK(rq_tls_shutdown(s) == RQ_OK);
    CHECK(server_to_client(s, &c) == 0);
    uint8_t tmp[16];
    size_t r = 0;
    CHECK(SSL_read_ex(c.ssl, tmp, sizeof tmp, &r) == 0 &&
          SSL_get_error(c.ssl, 0) == SSL_ERROR_ZERO_RETURN);
    CHECK(rq_tls_write(s, (const uint8_t *)"x", 1, &err) == RQ_ERR);
    rq_tls_free(s);
    client_free(&c);
    rq_buf_free(&plain);
}

/* Data sent just before the client's close_notify is delivered, then ECLOSED. */
static void close_notify_test(void) {
    char cp[512], kp[512];
    path(cp, sizeof cp, "rsa.crt");
    path(kp, sizeof kp, "rsa8.key");
    rq_tls_ctx *ctx = NULL;
    rq_tls *s = NULL;
    rq_error err;
    client c;
    CHECK(rq_tls_ctx_new(cp, kp, &ctx, &err) == RQ_OK);
    CHECK(rq_tls_new(ctx, &s, &err) == RQ_OK);
    CHECK(client_new(&c, "rsa.crt", NULL, 0, 0) == 0);
    CHECK(handshake(s, &c, 7, &err) == 0); /* 7-byte feeds: partial records */
    CHECK(rq_tls_alpn_postgresql(s) == 0);
    size_t w;
    CHECK(SSL_write_ex(c.ssl, "bye", 3, &w) == 1);
    CHECK(SSL_shutdown(c.ssl) == 0);
    rq_buf plain = {0};
    CHECK(client_to_server(&c, s, 1 << 16, &plain, &err) == RQ_ECLOSED);
    CHECK(plain.len == 3 && memcmp(plain.data, "bye", 3) == 0);
    rq_buf_free(&plain);
    rq_tls_free(s);
    client_free(&c);
    rq_tls_ctx_free(ctx);
}

/* ALPN: other protocols only → accepted, nothing selected. */
static void alpn_other_test(void) {
    char cp[512], kp[512];
    path(cp, sizeof cp, "ec.crt");
    path(kp, sizeof kp, "ec.key");
    rq_tls_ctx *ctx = NULL;
    rq_tls *s = NULL;
    rq_error err;
    client c;
    static const unsigned char alpn[] = "\x08http/1.1\x02h2";
    CHECK(rq_tls_ctx_new(cp, kp, &ctx, &err) == RQ_OK);
    CHECK(rq_tls_new(ctx, &s, &err) == RQ_OK);
    CHECK(client_new(&c, "ec.crt", alpn, sizeof alpn - 1, 0) == 0);
    CHECK(handshake(s, &c, 1 << 16, &err) == 0);
    CHECK(rq_tls_alpn_postgresql(s) == 0);
    const unsigned char *sel = NULL;
    unsigned sel_len = 0;
    SSL_get0_alpn_selected(c.ssl, &sel, &sel_len);
    CHECK(sel_len == 0);
    rq_tls_free(s);
    client_free(&c);
    rq_tls_ctx_free(ctx);
}

/* Garbage and too-old clients fail with 08P01 and an OpenSSL reason. */
static void handshake_failure_test(void) {
    char cp[512], kp[512];
    path(cp, sizeof cp, "rsa.crt");
    path(kp, sizeof kp, "rsa1.key");
    rq_tls_ctx *ctx = NULL;
    rq_tls *s = NULL;
    rq_error err;
    CHECK(rq_tls_ctx_new(cp, kp, &ctx, &err) == RQ_OK);

    CHECK(rq_tls_new(ctx, &s, &err) == RQ_OK);
    const char *junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    CHECK(rq_tls_feed(s, (const uint8_t *)junk, strlen(junk), &err) == RQ_OK);
    rq_error_clear(&err);
    CHECK(rq_tls_handshake(s, &err) == RQ_ERR);
    CHECK(strcmp(err.sqlstate, "08P01") == 0);
    CHECK(strstr(err.message, "could not accept SSL connection: ") == err.message);
    CHECK(strlen(err.message) > strlen("could not accept SSL connection: "));
    CHECK(rq_tls_handshake(s, &err) == RQ_ERR); /* stays dead */
    CHECK(rq_tls_shutdown(s) == RQ_ERR);
    rq_tls_free(s);

    /* TLS 1.1-only client. */
    client c;
    CHECK(rq_tls_new(ctx, &s, &err) == RQ_OK);
    CHECK(client_new(&c, "rsa.crt", NULL, 0, TLS1_1_VERSION) == 0);
    rq_error_clear(&err);
    CHECK(handshake(s, &c, 1 << 16, &err) != 0);
    CHECK(strcmp(err.sqlstate, "08P01") == 0);
    CHECK(strstr(err.message, "unsupported protocol") != NULL);
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "  tls1.1 client: %s\n", err.message);
    rq_tls_free(s);
    client_free(&c);
    rq_tls_ctx_free(ctx);
}

/* Expect rq_tls_ctx_new to fail with F0000 and `needle` in the message. */
static void ctx_error_case(const char *crt, const char *key, const char *needle) {
    char cp[512], kp[512];
    path(cp, sizeof cp, crt);
    path(kp, sizeof kp, key);
    rq_tls_ctx *ctx = (rq_tls_ctx *)&ctx;
    rq_error err;
    rq_error_clear(&err);
    int rc = rq_tls_ctx_new(cp, kp, &ctx, &err);
    CHECK(rc == RQ_ERR);
    CHECK(ctx == NULL);
    CHECK(strcmp(err.sqlstate, "F0000") == 0);
    int found = strstr(err.message, needle) != NULL;
    if (!found) fprintf(stderr, "  [%s/%s] expected '%s' in: %s\n", crt, key, needle, err.message);
    CHECK(found);
}

static void ctx_errors_test(void) {
    ctx_error_case("rsa.crt", "other.key", "key values mismatch");
    ctx_error_case("ec.crt", "rsa8.key", "key type mismatch");
    ctx_error_case("missing.crt", "rsa8.key", "No such file or directory");
    ctx_error_case("missing.crt", "rsa8.key", "missing.crt");
    ctx_error_case("rsa.crt", "missing.key", "No such file or directory");
    ctx_error_case("junk.crt", "rsa8.key", "could not load server certificate file");
    ctx_error_case("rsa.crt", "enc.key", "could not load private key file");
    ctx_error_case("rsa.crt", "rsa.crt", "could not load private key file");
    rq_tls_ctx *ctx = NULL;
    rq_error err;
    CHECK(rq_tls_ctx_new(NULL, "x", &ctx, &err) == RQ_ERR && ctx == NULL);
    /* Combined cert+key file works for both arguments. */
    char p[512];
    path(p, sizeof p, "combined.pem");
    int rc = rq_tls_ctx_new(p, p, &ctx, &err);
    if (rc != RQ_OK) fprintf(stderr, "  combined: %s\n", err.message);
    CHECK(rc == RQ_OK);
    rq_tls_ctx_free(ctx);
    rq_tls_ctx_free(NULL);
    rq_tls_free(NULL);
}

/* Several threads share one ctx, each with its own sessions. */
static rq_tls_ctx *g_shared;
static void *thread_main(void *arg) {
    long ok = 0;
    for (int i = 0; i < 3; i++) {
        rq_tls *s = NULL;
        rq_error err;
        client c;
        if (rq_tls_new(g_shared, &s, &err) != RQ_OK) break;
        if (client_new(&c, "rsa.crt", NULL, 0, 0) != 0) break;
        uint8_t data[100000];
        fill_pattern(data, sizeof data, (unsigned)(uintptr_t)arg + (unsigned)i);
        if (handshake(s, &c, 4096, &err) == 0 && send_to_client(s, &c, data, sizeof data) == 0 &&
            send_to_server(s, &c, data, sizeof data) == 0)
            ok++;
        rq_tls_free(s);
        client_free(&c);
    }
    return (void *)ok;
}

static void threads_test(void) {
    char cp[512], kp[512];
    path(cp, sizeof cp, "rsa.crt");
    path(kp, sizeof kp, "rsa8.key");
    rq_error err;
    CHECK(rq_tls_ctx_new(cp, kp, &g_shared, &err) == RQ_OK);
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, thread_main, (void *)i);
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    CHECK(total == 12);
    rq_tls_ctx_free(g_shared);
}

int main(void) {
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    if (gen_certs() != 0) {
        fprintf(stderr, "openssl command line tool failed to generate test certificates\n");
        g_fail++;
    } else {
        CHECK(file_starts_with("rsa8.key", "-----BEGIN PRIVATE KEY-----"));
        CHECK(file_starts_with("rsa1.key", "-----BEGIN RSA PRIVATE KEY-----"));
        CHECK(file_starts_with("ec.key", "-----BEGIN EC PARAMETERS-----"));
        CHECK(file_starts_with("enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        session_test("rsa-pkcs8", "rsa.crt", "rsa8.key", 1 << 16);
        session_test("rsa-pkcs1", "rsa.crt", "rsa1.key", 1 << 16);
        session_test("ec-sec1", "ec.crt", "ec.key", 1);
        close_notify_test();
        alpn_other_test();
        handshake_failure_test();
        ctx_errors_test();
        threads_test();
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
