/*
 * rq_tls.c — OpenSSL server sessions over memory BIOs (see rq_tls.h).
 */
#include "rq_tls.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

struct rq_tls_ctx {
    SSL_CTX *ssl_ctx;
};

struct rq_tls {
    SSL *ssl;
    BIO *rbio; /* ciphertext from the peer (owned by ssl) */
    BIO *wbio; /* ciphertext for the peer (owned by ssl) */
    int handshake_done;
    int dead; /* a fatal error happened: OpenSSL forbids further I/O */
};

#define RQ_TLS_ALPN "postgresql"
#define RQ_TLS_READ_CHUNK 16384 /* one maximal TLS record of plaintext */
#define RQ_TLS_IO_MAX (1 << 30) /* per-call cap: OpenSSL BIO sizes are int */

/* strerror() is not thread-safe; pick whichever strerror_r libc offers. */
static const char *sys_errstr(int e, char *buf, size_t cap) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, cap);
#else
    if (strerror_r(e, buf, cap) != 0) snprintf(buf, cap, "system error %d", e);
    return buf;
#endif
}

/* Reason text of one queued OpenSSL error. */
static const char *err_reason(unsigned long e, char *tmp, size_t cap) {
    /* OpenSSL 3 stores errno for failed fopen() etc. as a "system" error
     * without a reason string. */
    if (ERR_SYSTEM_ERROR(e)) return sys_errstr(ERR_GET_REASON(e), tmp, cap);
    const char *r = ERR_reason_error_string(e);
    if (r != NULL) return r;
    snprintf(tmp, cap, "OpenSSL error %lu", e);
    return tmp;
}

/*
 * Drain this thread's OpenSSL error queue into `buf` as "reason: reason".
 * The queue must be drained anyway so later calls do not see stale errors;
 * the first entries are the most specific ones. Generic "system lib" entries
 * that merely wrap an errno already shown are skipped.
 */
static void tls_errstr(char *buf, size_t cap) {
    size_t len = 0;
    int count = 0;
    unsigned long e;
    buf[0] = '\0';
    while ((e = ERR_get_error()) != 0) {
        char tmp[128];
        const char *r = err_reason(e, tmp, sizeof tmp);
        if (count >= 3 || (len > 0 && strstr(buf, r) != NULL)) continue;
        if (len > 0 && strcmp(r, "system lib") == 0) continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ": " : "", r);
        if (w < 0 || (size_t)w >= cap - len) continue;
        len += (size_t)w;
        count++;
    }
    if (buf[0] == '\0') rq_strlcpy(buf, "unknown TLS error", cap);
}

/* Describe a failed SSL_* call; `what` prefixes the OpenSSL reason. */
static int tls_fail(rq_tls *t, int ssl_err, const char *what, rq_error *err) {
    char reason[512];
    if (ssl_err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        /* Memory BIOs never fail at the system level: reaching here means
         * the peer's data ended in the middle of the protocol. */
        rq_strlcpy(reason, "unexpected end of TLS stream", sizeof reason);
    } else {
        tls_errstr(reason, sizeof reason);
    }
    if (t != NULL) t->dead = 1;
    return rq_error_set(err, RQ_SEV_ERROR, "08P01", "%s: %s", what, reason);
}

/* Configuration error (F0000) naming the file and OpenSSL's reason. */
static int cfg_fail(const char *what, const char *path, rq_error *err) {
    char reason[512];
    tls_errstr(reason, sizeof reason);
    return rq_error_set(err, RQ_SEV_ERROR, "F0000", "%s \"%s\": %s", what, path, reason);
}

/* Never prompt for a passphrase: an encrypted key is a configuration error. */
static int no_passphrase_cb(char *buf, int size, int rwflag, void *userdata) {
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)userdata;
    return -1;
}

/*
 * ALPN: pick "postgresql" when offered; otherwise carry on without ALPN
 * (NOACK) so that ordinary SSLRequest clients are not rejected.
 */
static int alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                          const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    const size_t want = sizeof RQ_TLS_ALPN - 1;
    unsigned int i = 0;
    while (i < inlen) {
        unsigned int plen = in[i];
        if (plen == 0 || i + 1 + plen > inlen) break; /* malformed list */
        if (plen == want && memcmp(in + i + 1, RQ_TLS_ALPN, want) == 0) {
            *out = in + i + 1;
            *outlen = (unsigned char)plen;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + plen;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

/* Protocol policy shared by every connection. */
static int ctx_configure(SSL_CTX *c) {
    if (!SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION)) return 0;
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* Partial writes let rq_tls_write loop record by record instead of
     * buffering the whole plaintext inside OpenSSL first. */
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    if (!SSL_CTX_set_num_tickets(c, 0)) return 0;
    SSL_CTX_set_dh_auto(c, 1);
    SSL_CTX_set_default_passwd_cb(c, no_passphrase_cb);
    SSL_CTX_set_alpn_select_cb(c, alpn_select_cb, NULL);
    return 1;
}

/* Read a PEM private key without ever prompting for a passphrase. */
static EVP_PKEY *read_key(const char *key_path) {
    BIO *bio = BIO_new_file(key_path, "r");
    if (bio == NULL) return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase_cb, NULL);
    BIO_free(bio);
    return pkey;
}

/*
 * Load certificate chain and key, and check that they belong together.
 * The key is checked against the certificate explicitly: OpenSSL keeps RSA
 * and EC keys in separate slots, so loading an RSA key next to an EC
 * certificate would otherwise "succeed" and fail obscurely later.
 */
static int ctx_load(SSL_CTX *c, const char *cert_path, const char *key_path, rq_error *err) {
    if (SSL_CTX_use_certificate_chain_file(c, cert_path) != 1)
        return cfg_fail("could not load server certificate file", cert_path, err);
    EVP_PKEY *pkey = read_key(key_path);
    if (pkey == NULL) {
        cfg_fail("could not load private key file", key_path, err);
        if (err != NULL)
            rq_strlcpy(err->hint,
                       "The key must be an unencrypted PEM private key: PKCS#1 (BEGIN RSA "
                       "PRIVATE KEY), PKCS#8 (BEGIN PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY).",
                       sizeof err->hint);
        return RQ_ERR;
    }
    int rc = RQ_OK;
    X509 *cert = SSL_CTX_get0_certificate(c);
    if (cert == NULL || X509_check_private_key(cert, pkey) != 1)
        rc = cfg_fail("private key does not match server certificate; key file", key_path, err);
    else if (SSL_CTX_use_PrivateKey(c, pkey) != 1 || SSL_CTX_check_private_key(c) != 1)
        rc = cfg_fail("could not use private key file", key_path, err);
    EVP_PKEY_free(pkey); /* the SSL_CTX holds its own reference */
    return rc;
}

int rq_tls_ctx_new(const char *cert_path, const char *key_path, rq_tls_ctx **out,
                   rq_error *err) {
    *out = NULL;
    if (cert_path == NULL || key_path == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "F0000", "TLS certificate and key paths are required");
    ERR_clear_error();
    rq_tls_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return rq_error_nomem(err);
    ctx->ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (ctx->ssl_ctx == NULL || !ctx_configure(ctx->ssl_ctx)) {
        char reason[512];
        tls_errstr(reason, sizeof reason);
        rq_tls_ctx_free(ctx);
        return rq_error_set(err, RQ_SEV_ERROR, "F0000", "could not create TLS context: %s",
                            reason);
    }
    int rc = ctx_load(ctx->ssl_ctx, cert_path, key_path, err);
    if (rc != RQ_OK) {
        rq_tls_ctx_free(ctx);
        return rc;
    }
    *out = ctx;
    return RQ_OK;
}

void rq_tls_ctx_free(rq_tls_ctx *ctx) {
    if (ctx == NULL) return;
    SSL_CTX_free(ctx->ssl_ctx); /* refcounted: live SSL objects keep it */
    free(ctx);
}

int rq_tls_new(rq_tls_ctx *ctx, rq_tls **out, rq_error *err) {
    *out = NULL;
    ERR_clear_error();
    rq_tls *t = calloc(1, sizeof *t);
    if (t == NULL) return rq_error_nomem(err);
    t->ssl = SSL_new(ctx->ssl_ctx);
    BIO *rbio = BIO_new(BIO_s_mem());
    BIO *wbio = BIO_new(BIO_s_mem());
    if (t->ssl == NULL || rbio == NULL || wbio == NULL) {
        BIO_free(rbio);
        BIO_free(wbio);
        SSL_free(t->ssl);
        free(t);
        ERR_clear_error();
        return rq_error_nomem(err);
    }
    /* An empty input BIO means "retry later", not end-of-file. */
    BIO_set_mem_eof_return(rbio, -1);
    SSL_set_bio(t->ssl, rbio, wbio); /* ssl now owns both BIOs */
    SSL_set_accept_state(t->ssl);
    t->rbio = rbio;
    t->wbio = wbio;
    *out = t;
    return RQ_OK;
}

void rq_tls_free(rq_tls *t) {
    if (t == NULL) return;
    SSL_free(t->ssl);
    free(t);
}

int rq_tls_feed(rq_tls *t, const uint8_t *cipher, size_t n, rq_error *err) {
    ERR_clear_error();
    while (n > 0) {
        int chunk = n > RQ_TLS_IO_MAX ? RQ_TLS_IO_MAX : (int)n;
        int w = BIO_write(t->rbio, cipher, chunk);
        if (w <= 0) {
            ERR_clear_error();
            return rq_error_nomem(err);
        }
        cipher += w;
        n -= (size_t)w;
    }
    return RQ_OK;
}

int rq_tls_handshake(rq_tls *t, rq_error *err) {
    if (t->handshake_done) return RQ_OK;
    if (t->dead)
        return rq_error_set(err, RQ_SEV_ERROR, "08P01", "could not accept SSL connection: session failed earlier");
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->handshake_done = 1;
        return RQ_OK;
    }
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ) return RQ_EAGAIN;
    return tls_fail(t, e, "could not accept SSL connection", err);
}

int rq_tls_read(rq_tls *t, rq_buf *plain_out, rq_error *err) {
    if (t->dead || !t->handshake_done)
        return rq_error_set(err, RQ_SEV_ERROR, "08P01", "TLS read before handshake completion or after failure");
    for (;;) {
        /* Room for at least one full record so each call makes progress. */
        if (rq_buf_reserve(plain_out, RQ_TLS_READ_CHUNK) != RQ_OK) return rq_error_nomem(err);
        size_t got = 0;
        size_t room = plain_out->cap - plain_out->len;
        if (room > RQ_TLS_IO_MAX) room = RQ_TLS_IO_MAX;
        ERR_clear_error();
        if (SSL_read_ex(t->ssl, plain_out->data + plain_out->len, room, &got) == 1) {
            plain_out->len += got;
            continue;
        }
        int e = SSL_get_error(t->ssl, 0);
        if (e == SSL_ERROR_WANT_READ) return RQ_OK;
        if (e == SSL_ERROR_ZERO_RETURN) return RQ_ECLOSED;
        return tls_fail(t, e, "SSL error", err);
    }
}

int rq_tls_write(rq_tls *t, const uint8_t *plain, size_t n, rq_error *err) {
    if (t->dead || !t->handshake_done)
        return rq_error_set(err, RQ_SEV_ERROR, "08P01", "TLS write before handshake completion or after failure");
    while (n > 0) {
        size_t chunk = n > RQ_TLS_IO_MAX ? RQ_TLS_IO_MAX : n;
        size_t written = 0;
        ERR_clear_error();
        if (SSL_write_ex(t->ssl, plain, chunk, &written) != 1) {
            int e = SSL_get_error(t->ssl, 0);
            /* The output BIO grows without bound, so WANT_WRITE only means
             * the BIO could not allocate. */
            if (e == SSL_ERROR_WANT_WRITE) return rq_error_nomem(err);
            return tls_fail(t, e, "SSL error", err);
        }
        plain += written; /* partial-write mode: one record at a time */
        n -= written;
    }
    return RQ_OK;
}

int rq_tls_take_output(rq_tls *t, rq_buf *cipher_out, rq_error *err) {
    size_t pending = BIO_ctrl_pending(t->wbio);
    if (pending == 0) return RQ_OK;
    if (rq_buf_reserve(cipher_out, pending) != RQ_OK) return rq_error_nomem(err);
    while (pending > 0) {
        int chunk = pending > RQ_TLS_IO_MAX ? RQ_TLS_IO_MAX : (int)pending;
        int r = BIO_read(t->wbio, cipher_out->data + cipher_out->len, chunk);
        if (r <= 0) break; /* cannot happen: `pending` bytes are buffered */
        cipher_out->len += (size_t)r;
        pending -= (size_t)r;
    }
    return RQ_OK;
}

size_t rq_tls_pending(const rq_tls *t) { return BIO_ctrl_pending(t->wbio); }

int rq_tls_shutdown(rq_tls *t) {
    if (t->dead || !t->handshake_done) return RQ_ERR;
    ERR_clear_error();
    int r = SSL_shutdown(t->ssl); /* 0: ours sent, peer's not yet seen */
    if (r < 0) {
        ERR_clear_error();
        return RQ_ERR;
    }
    return RQ_OK;
}

int rq_tls_describe(const rq_tls *t, const char **version, const char **cipher, int *bits) {
    const SSL_CIPHER *c = t->handshake_done ? SSL_get_current_cipher(t->ssl) : NULL;
    if (c == NULL) return RQ_ERR;
    *version = SSL_get_version(t->ssl);
    *cipher = SSL_CIPHER_get_name(c);
    *bits = SSL_CIPHER_get_bits(c, NULL);
    return RQ_OK;
}

int rq_tls_alpn_postgresql(const rq_tls *t) {
    const unsigned char *p = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(t->ssl, &p, &len);
    return p != NULL && len == sizeof RQ_TLS_ALPN - 1 &&
           memcmp(p, RQ_TLS_ALPN, len) == 0;
}
