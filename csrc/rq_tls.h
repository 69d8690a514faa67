/*
 * rq_tls.h — server-side TLS (OpenSSL) over memory BIOs.
 *
 * The event loop (libuv) owns the socket, so OpenSSL never touches a file
 * descriptor: ciphertext read from the socket is pushed in with
 * rq_tls_feed(), and ciphertext to send (handshake records, alerts,
 * application data) is pulled out with rq_tls_take_output() and handed to
 * uv_write. Plaintext goes in with rq_tls_write() and out with rq_tls_read().
 *
 * Typical use by a connection:
 *
 *     on uv_read(cipher, n):
 *         rq_tls_feed(t, cipher, n, &err);
 *         if (!handshake_done) {
 *             rc = rq_tls_handshake(t, &err);
 *             rq_tls_take_output(t, &out, &err);   // ALWAYS, even on RQ_ERR
 *             send(out);                            // (may hold an alert)
 *             if (rc == RQ_EAGAIN) return;          // wait for more input
 *             if (rc != RQ_OK) close();
 *             handshake_done = 1;
 *         }
 *         rc = rq_tls_read(t, &plain_in, &err);    // then parse plain_in
 *         rq_tls_take_output(t, &out, &err);       // TLS 1.3 may answer
 *     to send a protocol message:
 *         rq_tls_write(t, msg, len, &err);
 *         rq_tls_take_output(t, &out, &err); uv_write(out);
 *
 * Threading: an rq_tls_ctx is immutable after rq_tls_ctx_new() and may be
 * shared by any number of threads (each rq_tls_new() takes a reference on the
 * underlying SSL_CTX, so freeing the ctx while sessions live is safe). One
 * rq_tls must be used by one thread at a time (the caller serialises).
 * Every function clears the calling thread's OpenSSL error queue before
 * working, so stale errors from other code cannot leak into results.
 *
 * Policy: TLS 1.2 and 1.3 only, no compression, no renegotiation, no session
 * cache and no session tickets (every connection does a full handshake, as
 * PostgreSQL's server does). ALPN: if the client offers "postgresql" it is
 * selected (PostgreSQL 17 direct SSL requires this); clients that offer no
 * ALPN, or only other protocols, are still accepted without ALPN.
 *
 * Error codes: configuration errors (rq_tls_ctx_new) use SQLSTATE F0000
 * (config_file_error); per-connection TLS failures use 08P01
 * (protocol_violation). Messages end with OpenSSL's reason text.
 */
#ifndef RQ_TLS_H
#define RQ_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "rq_buf.h"
#include "rq_common.h"

typedef struct rq_tls_ctx rq_tls_ctx; /* server-wide configuration (SSL_CTX) */
typedef struct rq_tls rq_tls;         /* one connection (SSL + two mem BIOs) */

/*
 * Create the server-wide TLS configuration.
 *
 * `cert_path`: PEM file with the server certificate first, optionally
 * followed by intermediate CA certificates (sent to clients as the chain).
 * `key_path`: PEM private key, unencrypted, in any of PKCS#1
 * ("BEGIN RSA PRIVATE KEY"), PKCS#8 ("BEGIN PRIVATE KEY") or SEC1
 * ("BEGIN EC PRIVATE KEY", a leading "EC PARAMETERS" block is allowed).
 * May be the same file as `cert_path`. Encrypted keys are rejected (no
 * passphrase prompt is ever shown).
 *
 * Checks that the key matches the certificate. On success returns RQ_OK and
 * stores a new context in *out (free with rq_tls_ctx_free). On failure returns
 * RQ_ERR (or RQ_ENOMEM), leaves *out NULL and fills `err` (SQLSTATE F0000,
 * message naming the file and quoting OpenSSL's reason, e.g. "No such file or
 * directory" or "key values mismatch").
 */
int rq_tls_ctx_new(const char *cert_path, const char *key_path, rq_tls_ctx **out,
                   rq_error *err);

/* Release a context. Sessions created from it stay valid. NULL is a no-op. */
void rq_tls_ctx_free(rq_tls_ctx *ctx);

/*
 * Create a server-side session for one connection. On success returns RQ_OK
 * and stores the session in *out (free with rq_tls_free). On failure returns
 * RQ_ENOMEM/RQ_ERR, *out is NULL, `err` filled.
 */
int rq_tls_new(rq_tls_ctx *ctx, rq_tls **out, rq_error *err);

/* Release a session (no close_notify is sent; see rq_tls_shutdown). NULL ok. */
void rq_tls_free(rq_tls *t);

/*
 * Append `n` bytes of ciphertext received from the socket to the session's
 * input. The bytes are copied; the caller keeps ownership of `cipher`.
 * Returns RQ_OK, or RQ_ENOMEM (err filled).
 */
int rq_tls_feed(rq_tls *t, const uint8_t *cipher, size_t n, rq_error *err);

/*
 * Advance the handshake with the input fed so far.
 *   RQ_OK      handshake complete (calling again is harmless and returns RQ_OK);
 *   RQ_EAGAIN  more input needed — there is usually output to send first
 *              (ServerHello ... Finished): call rq_tls_take_output();
 *   RQ_ERR     handshake failed (08P01, "could not accept SSL connection: "
 *              + OpenSSL reason). Pending output may hold a fatal alert: send
 *              it, then close the connection. The session is dead: only
 *              rq_tls_take_output() and rq_tls_free() remain useful.
 */
int rq_tls_handshake(rq_tls *t, rq_error *err);

/*
 * Decrypt every complete record fed so far and append the plaintext to
 * `plain_out` (caller-owned; it grows as needed). Call only after
 * rq_tls_handshake() returned RQ_OK. Afterwards call rq_tls_take_output():
 * TLS 1.3 post-handshake messages (e.g. KeyUpdate) can produce output.
 *   RQ_OK       zero or more bytes appended (a partial record stays buffered);
 *   RQ_ECLOSED  the peer sent close_notify (plaintext that preceded it has
 *               been appended);
 *   RQ_ENOMEM   plain_out could not grow (data read so far was appended);
 *   RQ_ERR      TLS error (08P01, OpenSSL reason); the session is dead.
 */
int rq_tls_read(rq_tls *t, rq_buf *plain_out, rq_error *err);

/*
 * Encrypt `n` bytes of plaintext (any size; large buffers are split into
 * records) and queue the ciphertext in the session's output, to be collected
 * with rq_tls_take_output(). The caller keeps ownership of `plain`. Call
 * only after the handshake completed and before rq_tls_shutdown().
 * Returns RQ_OK, RQ_ENOMEM, or RQ_ERR (08P01, OpenSSL reason; session dead).
 */
int rq_tls_write(rq_tls *t, const uint8_t *plain, size_t n, rq_error *err);

/*
 * Move all pending ciphertext (handshake records, alerts, application data,
 * close_notify) to the end of `cipher_out` (caller-owned), leaving the
 * session's output empty. Appends nothing when nothing is pending.
 * Returns RQ_OK or RQ_ENOMEM (then nothing was moved and nothing was lost).
 */
int rq_tls_take_output(rq_tls *t, rq_buf *cipher_out, rq_error *err);

/* Bytes of ciphertext currently waiting for rq_tls_take_output(). */
size_t rq_tls_pending(const rq_tls *t);

/*
 * Queue a close_notify alert (collect it with rq_tls_take_output, send it,
 * then close the socket; waiting for the peer's close_notify is not needed).
 * Returns RQ_OK if the alert was queued, RQ_ERR if the session cannot send
 * one (handshake not complete or a fatal error happened: just close).
 */
int rq_tls_shutdown(rq_tls *t);

/* 1 if the client offered and was given ALPN "postgresql", else 0. Meaningful
 * once the handshake is complete (PostgreSQL 17 direct-SSL connections must
 * have it; SSLRequest connections usually do not). */
int rq_tls_alpn_postgresql(const rq_tls *t);

/* The negotiated protocol ("TLSv1.3"), cipher name and the cipher's secret
 * bits, for pg_stat_ssl. The strings are OpenSSL's (static, never freed).
 * RQ_OK, or RQ_ERR (nothing written) before the handshake is complete. */
int rq_tls_describe(const rq_tls *t, const char **version, const char **cipher, int *bits);

#endif /* RQ_TLS_H */
