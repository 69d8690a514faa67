/*
 * rq_py.h — shared declarations of the Python binding files (rq_py_*.c),
 * the only files that include Python.h. Layout follows CPython's
 * Modules/_sqlite: one module, heap types, and per-module state reached
 * through the module object.
 */
#ifndef RQ_PY_H
#define RQ_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "rq_datetime.h"
#include "rq_host.h"
#include "rq_server.h"

typedef struct rq_py_state {
    PyTypeObject *server_type;
    PyTypeObject *query_cb_type;
    PyTypeObject *bool_cb_type;
    PyObject *bridge;           /* module riffq._bridge, imported lazily */
    PyObject *kw_query_simple;  /* ("connection_id", "do_describe") */
    PyObject *kw_query_ext;     /* + ("query_args", "param_types") */
    PyObject *kw_connect;       /* ("callback", "server_name") */
    PyObject *kw_auth;          /* ("callback", "database") */
    PyObject *kw_conn_id;       /* ("connection_id",) */
    PyObject *str_arrow_c_stream;
    /* rq_py_params.c (set lazily with the GIL held; NULL until first use): */
    PyObject *params_decimal;  /* decimal.Decimal */
    PyObject *params_uuid;     /* uuid.UUID */
    PyObject *params_interval; /* riffq.Interval (or a namedtuple made there) */
    PyObject *params_kw_bytes; /* ("bytes",) */
} rq_py_state;

/* State of the riffq._core module owning `type`'s instances. */
rq_py_state *rq_py_state_of_module(PyObject *module);

/* Call riffq._bridge.<name>(*args); new reference or NULL with an exception. */
PyObject *rq_py_bridge_call(rq_py_state *st, const char *name, PyObject *args);

/* Log `msg` at `level` (logging.WARNING...) on the riffq logger. Never fails
 * (errors while logging are cleared). GIL held. */
void rq_py_log(rq_py_state *st, int level, const char *fmt, ...);

/* Turn the current Python exception into `err` (message = str(exc), logged
 * with traceback through riffq._bridge.handler_failed). Clears it. */
void rq_py_exception_to_error(rq_py_state *st, const char *where, const char *severity,
                              const char *sqlstate, rq_error *err);

/* Types */
int rq_py_server_add_type(PyObject *module, rq_py_state *st);
int rq_py_callback_add_types(PyObject *module, rq_py_state *st);

/* 0 for a stream built by the binding itself (releasing it needs no GIL). */
int rq_py_stream_needs_gil(const struct ArrowArrayStream *stream);

/* New callback objects owning one reference to `job` (taken). */
PyObject *rq_py_query_callback_new(rq_py_state *st, rq_job *job);
PyObject *rq_py_bool_callback_new(rq_py_state *st, rq_job *job);

#define RQ_PY_LOG_DEBUG 10
#define RQ_PY_LOG_INFO 20
#define RQ_PY_LOG_WARNING 30
#define RQ_PY_LOG_ERROR 40

/* Decode the Bind parameters of QUERY `job` (rq_py_params.c): new lists in *args_out (values) and *types_out (OIDs); 0, or -1 with `err` set and no Python exception pending. GIL held. */
int rq_py_build_params(rq_py_state *st, rq_job *job, PyObject **args_out, PyObject **types_out, rq_error *err);

#endif /* RQ_PY_H */
