/*
 * rq_server.h — the server object: listener, I/O loop thread, worker pool.
 *
 * Life cycle: rq_server_new() → rq_server_set_*() → rq_server_run()
 * (blocks: the calling thread becomes the I/O loop thread) → returns after
 * rq_server_stop() or, when `handle_signals` is set, SIGINT/SIGTERM →
 * rq_server_free().
 *
 * Threads: rq_server_stop() and rq_server_port() are thread-safe; the
 * setters must be called before rq_server_run().
 */
#ifndef RQ_SERVER_H
#define RQ_SERVER_H

#include "rq_common.h"
#include "rq_host.h"

typedef struct rq_server rq_server;

typedef struct rq_server_config {
    double query_timeout;    /* seconds until an unanswered query fails 57014; 0 = never */
    double auth_timeout;     /* seconds for the auth handler to answer */
    double startup_timeout;  /* seconds for a client to finish the startup phase */
    double param_types_timeout; /* seconds for the parameter-types hook; then text */
    int max_workers;         /* cap of the worker pool */
    int require_tls;         /* refuse plaintext sessions when TLS is on */
    char server_version[64];
    char timezone[64];       /* default session TimeZone */
} rq_server_config;

/* `listen_addr`: "host:port", "[v6]:port" or "hostname:port" (port 0 = any).
 * `ops`/`host` are borrowed and must outlive the server. */
int rq_server_new(const char *listen_addr, const rq_host_ops *ops, void *host,
                  rq_server **out, rq_error *err);
void rq_server_free(rq_server *srv);

rq_server_config *rq_server_config_of(rq_server *srv);

/* Which optional handlers the host has (no connect handler → no connect job,
 * no auth handler → trust, no login hook → no login job, no parameter-types
 * hook → unknown parameter types stay text). */
void rq_server_set_handlers(rq_server *srv, int has_connect, int has_auth,
                            int has_disconnect, int has_login, int has_param_types);

/* Load TLS cert/key now (errors surface at configuration time). */
int rq_server_set_tls(rq_server *srv, const char *cert, const char *key, rq_error *err);

/* Serve until stopped. `tls`: offer TLS (requires rq_server_set_tls).
 * `handle_signals`: stop on SIGINT/SIGTERM (call from the main thread only;
 * previous handlers are restored on return). */
int rq_server_run(rq_server *srv, int tls, int handle_signals, rq_error *err);

/* Ask a running server to stop. Thread- and async-signal-safe. */
void rq_server_stop(rq_server *srv);

/* Bound port once listening, else 0. */
int rq_server_port(rq_server *srv);

#endif /* RQ_SERVER_H */
