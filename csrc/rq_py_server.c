/*
 * rq_py_server.c — riffq._core.Server: configuration from Python, and the
 * rq_host_ops through which the core asks Python to decide.
 *
 * Every host op runs on a core worker thread: it takes the GIL with
 * PyGILState_Ensure (these threads are not Python-created), calls the
 * handler, and turns an exception into an error answer so that a failing
 * handler never leaves a client waiting.
 */
#include "rq_py.h"
#include "rq_sql.h"

typedef struct {
    PyObject_HEAD
    rq_server *srv;
    rq_py_state *st;
    PyObject *module;
    PyObject *on_query, *on_connect, *on_disconnect, *on_auth, *on_shutdown, *on_ready;
    PyObject *on_login; /* internal: riffq.Server's session hook (catalog emulation) */
    PyObject *on_param_types; /* optional: types of parameters a Parse left unknown */
    int running;
    int catalog_emulation;
} rq_py_server;

/* ---- host ops (worker threads) ---- */

static void answer_exception(rq_py_server *self, rq_job *job, const char *where) {
    rq_error err;
    if (rq_job_get_kind(job) == RQ_JOB_QUERY) {
        rq_py_exception_to_error(self->st, where, RQ_SEV_ERROR, "XX000", &err);
        rq_job_answer_error(job, &err); /* refused if the handler answered first */
    } else {
        rq_py_exception_to_error(self->st, where, RQ_SEV_FATAL, "28000", &err);
        rq_job_answer_bool(job, 0, &err);
    }
}

/* Call `fn(*argv, **kw)`; a raised exception answers `job` with an error. */
static void call_handler(rq_py_server *self, rq_job *job, PyObject *fn, PyObject *const *argv,
                         size_t nargs, PyObject *kwnames, const char *where) {
    PyObject *res = PyObject_Vectorcall(fn, argv, nargs, kwnames);
    if (res == NULL) answer_exception(self, job, where);
    Py_XDECREF(res);
}

static void host_connect(void *host, rq_job *job) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *cb = rq_py_bool_callback_new(self->st, job); /* takes the job ref */
    PyObject *id = PyLong_FromUnsignedLongLong(rq_job_conn_id(job));
    PyObject *ip = PyUnicode_FromString(rq_job_peer_ip(job));
    PyObject *port = PyLong_FromLong(rq_job_peer_port(job));
    if (cb && id && ip && port) {
        PyObject *argv[5] = {id, ip, port, cb, Py_None};
        call_handler(self, job, self->on_connect, argv, 3, self->st->kw_connect, "connect");
    } else if (cb) {
        answer_exception(self, job, "connect");
    }
    Py_XDECREF(id);
    Py_XDECREF(ip);
    Py_XDECREF(port);
    Py_XDECREF(cb);
    PyGILState_Release(g);
}

static void host_auth(void *host, rq_job *job) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *cb = rq_py_bool_callback_new(self->st, job);
    PyObject *id = PyLong_FromUnsignedLongLong(rq_job_conn_id(job));
    PyObject *user = PyUnicode_DecodeUTF8(rq_job_user(job), strlen(rq_job_user(job)), "replace");
    PyObject *pw = PyUnicode_DecodeUTF8(rq_job_password(job), strlen(rq_job_password(job)), "replace");
    PyObject *ip = PyUnicode_FromString(rq_job_peer_ip(job));
    const char *dbs = rq_job_database(job);
    PyObject *db = dbs ? PyUnicode_DecodeUTF8(dbs, strlen(dbs), "replace") : (Py_INCREF(Py_None), Py_None);
    if (cb && id && user && pw && ip && db) {
        PyObject *argv[6] = {id, user, pw, ip, cb, db};
        call_handler(self, job, self->on_auth, argv, 4, self->st->kw_auth, "authentication");
    } else if (cb) {
        answer_exception(self, job, "authentication");
    }
    Py_XDECREF(id);
    Py_XDECREF(user);
    Py_XDECREF(pw);
    Py_XDECREF(ip);
    Py_XDECREF(db);
    Py_XDECREF(cb);
    PyGILState_Release(g);
}

static PyObject *utf8_or_none(const char *s) {
    if (s == NULL) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, strlen(s), "replace");
}

/* The connection's TLS session as (version, cipher, bits), or None. */
static PyObject *tls_info_or_none(const rq_job *job) {
    rq_tls_info info;
    if (!rq_job_tls_info(job, &info)) Py_RETURN_NONE;
    return Py_BuildValue("(ssi)", info.version, info.cipher, info.bits);
}

/* on_login(conn_id, user, database, application_name, ip, port, backend_pid,
 *          timezone, tls, cb); tls: (version, cipher, bits) or None */
#define LOGIN_ARGC 10
static void host_login(void *host, rq_job *job) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *cb = rq_py_bool_callback_new(self->st, job);
    PyObject *argv[LOGIN_ARGC] = {
        PyLong_FromUnsignedLongLong(rq_job_conn_id(job)), utf8_or_none(rq_job_user(job)),
        utf8_or_none(rq_job_database(job)), utf8_or_none(rq_job_app_name(job)),
        PyUnicode_FromString(rq_job_peer_ip(job)), PyLong_FromLong(rq_job_peer_port(job)),
        PyLong_FromUnsignedLong(rq_job_backend_pid(job)),
        utf8_or_none(rq_tz_name(rq_job_timezone(job))), tls_info_or_none(job), cb};
    int ok = 1;
    for (int i = 0; i < LOGIN_ARGC; i++) ok = ok && argv[i] != NULL;
    if (ok && self->on_login)
        call_handler(self, job, self->on_login, argv, LOGIN_ARGC, NULL, "login");
    else if (cb && self->on_login == NULL)
        rq_job_answer_bool(job, 1, NULL);
    else if (cb)
        answer_exception(self, job, "login");
    for (int i = 0; i < LOGIN_ARGC; i++) Py_XDECREF(argv[i]);
    PyGILState_Release(g);
}

static void host_query(void *host, rq_job *job) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *cb = rq_py_query_callback_new(self->st, job);
    const char *sqlc = rq_job_sql(job);
    PyObject *sql = PyUnicode_DecodeUTF8(sqlc, strlen(sqlc), "replace");
    PyObject *id = PyLong_FromUnsignedLongLong(rq_job_conn_id(job));
    PyObject *desc = PyBool_FromLong(rq_job_do_describe(job));
    PyObject *qargs = NULL, *qtypes = NULL;
    int ext = rq_job_nparams(job) >= 0;
    rq_error perr;
    int ok = cb && sql && id && desc;
    if (ok && ext && rq_py_build_params(self->st, job, &qargs, &qtypes, &perr) != 0) {
        rq_job_answer_error(job, &perr); /* bad parameter bytes: 22P02, 22P03... */
    } else if (ok) {
        PyObject *argv[6] = {sql, cb, id, desc, qargs, qtypes};
        call_handler(self, job, self->on_query, argv, 2,
                           ext ? self->st->kw_query_ext : self->st->kw_query_simple, "query");
    } else if (cb) {
        answer_exception(self, job, "query");
    }
    Py_XDECREF(sql);
    Py_XDECREF(id);
    Py_XDECREF(desc);
    Py_XDECREF(qargs);
    Py_XDECREF(qtypes);
    Py_XDECREF(cb);
    PyGILState_Release(g);
}

/* One entry of the hook's answer: an OID, a type name or None. 0 = unknown
 * (logged when it is not None). */
static uint32_t type_entry(rq_py_server *self, PyObject *item, int i) {
    if (item == Py_None) return 0;
    if (PyLong_Check(item)) {
        unsigned long long v = PyLong_AsUnsignedLongLong(item);
        if (!PyErr_Occurred() && v > 0 && v <= 0xFFFFFFFFull) return (uint32_t)v;
        PyErr_Clear();
    } else if (PyUnicode_Check(item)) {
        const char *name = PyUnicode_AsUTF8(item);
        uint32_t oid = name ? rq_sql_type_oid(name) : 0;
        if (oid) return oid;
        PyErr_Clear();
    }
    PyObject *r = PyObject_Repr(item);
    const char *u = r ? PyUnicode_AsUTF8(r) : NULL;
    rq_py_log(self->st, RQ_PY_LOG_WARNING,
              "parameter types hook: $%d: %s is neither a type OID nor a known type name; "
              "the parameter stays text", i + 1, u ? u : "?");
    Py_XDECREF(r);
    PyErr_Clear();
    return 0;
}

/* The hook's answer: a sequence of nparams entries (None: no answer). */
static void types_from(rq_py_server *self, PyObject *res, int n, uint32_t *oids) {
    if (res == Py_None) return;
    PyObject *seq = PySequence_Fast(res, "parameter types hook must return a list");
    if (seq == NULL) {
        rq_error err;
        rq_py_exception_to_error(self->st, "parameter types", RQ_SEV_ERROR, "XX000", &err);
        return;
    }
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    if (len != n)
        rq_py_log(self->st, RQ_PY_LOG_WARNING,
                  "parameter types hook returned %zd types for %d parameters", len, n);
    for (Py_ssize_t i = 0; i < len && i < n; i++)
        oids[i] = type_entry(self, PySequence_Fast_GET_ITEM(seq, i), (int)i);
    Py_DECREF(seq);
}

/* hook(sql, nparams, connection_id=id) -> [oid | "type name" | None, ...].
 * Any failure leaves the types unknown (text), after logging it. */
static void host_param_types(void *host, rq_job *job) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    int n = rq_job_ntypes(job);
    uint32_t *oids = calloc((size_t)n + 1, sizeof *oids);
    PyObject *fn = self->on_param_types;
    if (fn && oids) {
        Py_INCREF(fn);
        const char *sqlc = rq_job_sql(job);
        PyObject *argv[3] = {PyUnicode_DecodeUTF8(sqlc, strlen(sqlc), "replace"), PyLong_FromLong(n),
                             PyLong_FromUnsignedLongLong(rq_job_conn_id(job))};
        PyObject *res = argv[0] && argv[1] && argv[2]
                            ? PyObject_Vectorcall(fn, argv, 2, self->st->kw_conn_id) : NULL;
        if (res == NULL) {
            rq_error err;
            rq_py_exception_to_error(self->st, "parameter types", RQ_SEV_ERROR, "XX000", &err);
        } else {
            types_from(self, res, n, oids);
        }
        Py_XDECREF(res);
        for (int i = 0; i < 3; i++) Py_XDECREF(argv[i]);
        Py_DECREF(fn);
    }
    rq_job_answer_types(job, oids, oids ? n : 0);
    free(oids);
    rq_job_unref(job); /* ours: no callback object holds this job */
    PyGILState_Release(g);
}

static void host_disconnect(void *host, uint64_t conn_id, const char *ip, int port) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    if (self->on_disconnect) {
        PyObject *res = PyObject_CallFunction(self->on_disconnect, "Ksi", (unsigned long long)conn_id, ip, port);
        if (res == NULL) {
            rq_error err;
            rq_py_exception_to_error(self->st, "disconnect", RQ_SEV_ERROR, "XX000", &err);
        }
        Py_XDECREF(res);
    }
    PyGILState_Release(g);
}

static void host_shutdown(void *host) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    if (self->on_shutdown) {
        PyObject *res = PyObject_CallNoArgs(self->on_shutdown);
        if (res == NULL) {
            rq_error err;
            rq_py_exception_to_error(self->st, "shutdown", RQ_SEV_ERROR, "XX000", &err);
        }
        Py_XDECREF(res);
    }
    PyGILState_Release(g);
}

static void host_ready(void *host, const char *addr, int port) {
    rq_py_server *self = host;
    PyGILState_STATE g = PyGILState_Ensure();
    rq_py_log(self->st, RQ_PY_LOG_INFO, "listening on %s:%d", addr, port);
    if (self->on_ready) {
        PyObject *res = PyObject_CallFunction(self->on_ready, "si", addr, port);
        if (res == NULL) {
            rq_error err;
            rq_py_exception_to_error(self->st, "ready", RQ_SEV_ERROR, "XX000", &err);
        }
        Py_XDECREF(res);
    }
    PyGILState_Release(g);
}

/* Streams exported by pyarrow & co may run Python code when released. */
static void host_release_stream(void *host, struct ArrowArrayStream *stream) {
    (void)host;
    if (stream->release && !rq_py_stream_needs_gil(stream)) {
        stream->release(stream);
        stream->release = NULL;
        return;
    }
    PyGILState_STATE g = PyGILState_Ensure();
    if (stream->release) stream->release(stream);
    stream->release = NULL;
    PyGILState_Release(g);
}

/*
 * Worker threads are not created by Python. PyGILState_Ensure on such a
 * thread creates a thread state and PyGILState_Release destroys it again:
 * an mmap/munmap pair per handler call. Taking one state for the thread's
 * whole life (and releasing the GIL at once) makes the later Ensure/Release
 * pairs plain GIL acquisitions.
 */
static _Thread_local PyGILState_STATE tls_gil_outer;
static _Thread_local PyThreadState *tls_saved;

static void host_thread_start(void *host) {
    (void)host;
    tls_gil_outer = PyGILState_Ensure();
    tls_saved = PyEval_SaveThread();
}

static void host_thread_exit(void *host) {
    (void)host;
    if (tls_saved == NULL) return;
    PyEval_RestoreThread(tls_saved);
    tls_saved = NULL;
    PyGILState_Release(tls_gil_outer);
}

static const rq_host_ops py_host_ops = {
    .thread_start = host_thread_start,
    .thread_exit = host_thread_exit,
    .connect = host_connect,
    .auth = host_auth,
    .login = host_login,
    .query = host_query,
    .param_types = host_param_types,
    .disconnect = host_disconnect,
    .ready = host_ready,
    .shutdown = host_shutdown,
    .release_stream = host_release_stream,
};

/* ---- Python methods ---- */

static int server_init(rq_py_server *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"listen_addr", NULL};
    const char *addr;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s:Server", kwlist, &addr)) return -1;
    if (self->srv) {
        PyErr_SetString(PyExc_RuntimeError, "Server already initialised");
        return -1;
    }
    rq_error err;
    if (rq_server_new(addr, &py_host_ops, self, &self->srv, &err) != RQ_OK) {
        PyErr_SetString(PyExc_ValueError, err.message);
        return -1;
    }
    return 0;
}

static PyObject *set_handler(PyObject **slot, PyObject *cb) {
    if (cb != Py_None && !PyCallable_Check(cb)) {
        PyErr_SetString(PyExc_TypeError, "handler must be callable");
        return NULL;
    }
    Py_XSETREF(*slot, cb == Py_None ? NULL : (Py_INCREF(cb), cb));
    Py_RETURN_NONE;
}

#define HANDLER_METHOD(name, field)                                           \
    static PyObject *name(rq_py_server *self, PyObject *cb) {                 \
        return set_handler(&self->field, cb);                                 \
    }
HANDLER_METHOD(m_on_query, on_query)
HANDLER_METHOD(m_on_connect, on_connect)
HANDLER_METHOD(m_on_disconnect, on_disconnect)
HANDLER_METHOD(m_on_authentication, on_auth)
HANDLER_METHOD(m_handle_shutdown, on_shutdown)
HANDLER_METHOD(m_on_ready, on_ready)
HANDLER_METHOD(m_on_login, on_login)
HANDLER_METHOD(m_on_param_types, on_param_types)

static int need_srv(rq_py_server *self) {
    if (self->srv == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Server.__init__ was not called");
        return -1;
    }
    return 0;
}

static PyObject *m_set_tls(rq_py_server *self, PyObject *args) {
    const char *crt, *key;
    if (!PyArg_ParseTuple(args, "ss:set_tls", &crt, &key) || need_srv(self) < 0) return NULL;
    rq_error err;
    if (rq_server_set_tls(self->srv, crt, key, &err) != RQ_OK) {
        PyErr_SetString(PyExc_OSError, err.message);
        return NULL;
    }
    Py_RETURN_NONE;
}

static int set_double(PyObject *v, double *out) {
    double d = PyFloat_AsDouble(v);
    if (d == -1.0 && PyErr_Occurred()) return -1;
    if (d < 0) {
        PyErr_SetString(PyExc_ValueError, "value must be >= 0");
        return -1;
    }
    *out = d;
    return 0;
}

static int set_string(PyObject *v, char *out, size_t cap) {
    const char *s = PyUnicode_AsUTF8(v);
    if (s == NULL) return -1;
    rq_strlcpy(out, s, cap);
    return 0;
}

static PyObject *m_set_option(rq_py_server *self, PyObject *args) {
    const char *name;
    PyObject *v;
    if (!PyArg_ParseTuple(args, "sO:set_option", &name, &v) || need_srv(self) < 0) return NULL;
    rq_server_config *cfg = rq_server_config_of(self->srv);
    int rc;
    if (strcmp(name, "query_timeout") == 0) rc = set_double(v, &cfg->query_timeout);
    else if (strcmp(name, "auth_timeout") == 0) rc = set_double(v, &cfg->auth_timeout);
    else if (strcmp(name, "connect_timeout") == 0) rc = set_double(v, &cfg->startup_timeout);
    else if (strcmp(name, "parameter_types_timeout") == 0) rc = set_double(v, &cfg->param_types_timeout);
    else if (strcmp(name, "server_version") == 0) rc = set_string(v, cfg->server_version, sizeof cfg->server_version);
    else if (strcmp(name, "timezone") == 0) rc = set_string(v, cfg->timezone, sizeof cfg->timezone);
    else if (strcmp(name, "require_tls") == 0) rc = (cfg->require_tls = PyObject_IsTrue(v)) < 0 ? -1 : 0;
    else if (strcmp(name, "max_workers") == 0) {
        long n = PyLong_AsLong(v);
        rc = (n == -1 && PyErr_Occurred()) ? -1 : 0;
        if (rc == 0 && (n < 2 || n > 4096)) {
            PyErr_SetString(PyExc_ValueError, "max_workers must be in 2..4096");
            rc = -1;
        }
        if (rc == 0) cfg->max_workers = (int)n;
    } else {
        PyErr_Format(PyExc_ValueError, "unknown option %R", PyTuple_GET_ITEM(args, 0));
        rc = -1;
    }
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

static int in_main_thread(void) {
    PyObject *threading = PyImport_ImportModule("threading");
    if (threading == NULL) return -1;
    PyObject *cur = PyObject_CallMethod(threading, "current_thread", NULL);
    PyObject *main = PyObject_CallMethod(threading, "main_thread", NULL);
    Py_DECREF(threading);
    int r = (cur && main) ? cur == main : -1;
    Py_XDECREF(cur);
    Py_XDECREF(main);
    return r;
}

static PyObject *m_start(rq_py_server *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"tls", "catalog_emulation", "server_version", NULL};
    int tls = 0, catalog = 0;
    const char *version = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|ppz:start", kwlist, &tls, &catalog, &version) ||
        need_srv(self) < 0)
        return NULL;
    if (self->on_query == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "No query handler set. Use on_query() before starting the server.");
        return NULL;
    }
    if (self->running) {
        PyErr_SetString(PyExc_RuntimeError, "server is already running");
        return NULL;
    }
    rq_server_config *cfg = rq_server_config_of(self->srv);
    if (version) rq_strlcpy(cfg->server_version, version, sizeof cfg->server_version);
    self->catalog_emulation = catalog;
    rq_server_set_handlers(self->srv, self->on_connect != NULL, self->on_auth != NULL,
                           self->on_disconnect != NULL, self->on_login != NULL,
                           self->on_param_types != NULL);
    int signals = in_main_thread();
    if (signals < 0) return NULL;
    rq_error err;
    int rc;
    self->running = 1;
    Py_INCREF(self); /* host ops use self until run returns */
    Py_BEGIN_ALLOW_THREADS
    rc = rq_server_run(self->srv, tls, signals, &err);
    Py_END_ALLOW_THREADS
    self->running = 0;
    Py_DECREF(self);
    if (rc != RQ_OK) {
        PyErr_SetString(PyExc_OSError, err.message);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *m_stop(rq_py_server *self, PyObject *unused) {
    (void)unused;
    if (self->srv) rq_server_stop(self->srv);
    Py_RETURN_NONE;
}

static PyObject *get_port(rq_py_server *self, void *closure) {
    (void)closure;
    return PyLong_FromLong(self->srv ? rq_server_port(self->srv) : 0);
}

static PyObject *get_running(rq_py_server *self, void *closure) {
    (void)closure;
    return PyBool_FromLong(self->running);
}

static PyObject *get_catalog(rq_py_server *self, void *closure) {
    (void)closure;
    return PyBool_FromLong(self->catalog_emulation);
}

/* ---- type ---- */

static int server_traverse(rq_py_server *self, visitproc visit, void *arg) {
    Py_VISIT(self->module);
    Py_VISIT(self->on_query);
    Py_VISIT(self->on_connect);
    Py_VISIT(self->on_disconnect);
    Py_VISIT(self->on_auth);
    Py_VISIT(self->on_login);
    Py_VISIT(self->on_param_types);
    Py_VISIT(self->on_shutdown);
    Py_VISIT(self->on_ready);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int server_clear(rq_py_server *self) {
    Py_CLEAR(self->on_query);
    Py_CLEAR(self->on_connect);
    Py_CLEAR(self->on_disconnect);
    Py_CLEAR(self->on_auth);
    Py_CLEAR(self->on_login);
    Py_CLEAR(self->on_param_types);
    Py_CLEAR(self->on_shutdown);
    Py_CLEAR(self->on_ready);
    return 0;
}

static void server_dealloc(rq_py_server *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    server_clear(self);
    rq_server_free(self->srv);
    Py_CLEAR(self->module);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *server_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
    (void)args;
    (void)kwargs;
    rq_py_server *self = (rq_py_server *)tp->tp_alloc(tp, 0);
    if (self == NULL) return NULL;
    /* A Python subclass has no module: find our base type in the chain. */
    PyObject *module = NULL;
    for (PyTypeObject *t = tp; t && module == NULL; t = t->tp_base) {
        if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) module = PyType_GetModule(t);
        if (module == NULL) PyErr_Clear();
    }
    if (module == NULL) {
        PyErr_SetString(PyExc_TypeError, "riffq._core.Server: module not found");
        Py_DECREF(self);
        return NULL;
    }
    Py_INCREF(module);
    self->module = module;
    self->st = rq_py_state_of_module(module);
    return (PyObject *)self;
}

static PyMethodDef server_methods[] = {
    {"on_query", (PyCFunction)m_on_query, METH_O, "Set the query handler."},
    {"on_connect", (PyCFunction)m_on_connect, METH_O, "Set the connect handler."},
    {"on_disconnect", (PyCFunction)m_on_disconnect, METH_O, "Set the disconnect handler."},
    {"on_authentication", (PyCFunction)m_on_authentication, METH_O, "Set the password handler."},
    {"handle_shutdown", (PyCFunction)m_handle_shutdown, METH_O, "Set the shutdown hook."},
    {"on_ready", (PyCFunction)m_on_ready, METH_O, "Set the hook called with (host, port) once listening."},
    {"_on_login", (PyCFunction)m_on_login, METH_O,
     "Internal: session hook on_login(conn_id, user, database, application_name, ip, port, "
     "backend_pid, timezone, tls, cb), called after authentication; tls is (version, cipher, bits) "
     "or None; cb(False, msg, severity, sqlstate) refuses."},
    {"on_parameter_types", (PyCFunction)m_on_param_types, METH_O,
     "Set the optional parameter-types hook: hook(sql, nparams, connection_id=id) -> list of "
     "nparams type OIDs, type names ('int8', 'numeric', 'text[]') or None, called on a worker "
     "when a Parse or PREPARE leaves parameter types unknown (neither declared nor cast)."},
    {"set_tls", (PyCFunction)m_set_tls, METH_VARARGS, "set_tls(cert_path, key_path)"},
    {"set_option", (PyCFunction)m_set_option, METH_VARARGS, "set_option(name, value)"},
    {"start", (PyCFunction)(void (*)(void))m_start, METH_VARARGS | METH_KEYWORDS,
     "start(tls=False, catalog_emulation=False, server_version=None): serve until stopped."},
    {"stop", (PyCFunction)m_stop, METH_NOARGS, "Ask a running server to stop (thread-safe)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef server_getset[] = {
    {"port", (getter)get_port, NULL, "Bound port (0 before listening).", NULL},
    {"running", (getter)get_running, NULL, "True while start() runs.", NULL},
    {"catalog_emulation", (getter)get_catalog, NULL, "start(catalog_emulation=...) value.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot server_slots[] = {
    {Py_tp_new, server_new},
    {Py_tp_init, server_init},
    {Py_tp_dealloc, server_dealloc},
    {Py_tp_traverse, server_traverse},
    {Py_tp_clear, server_clear},
    {Py_tp_methods, server_methods},
    {Py_tp_getset, server_getset},
    {Py_tp_doc, "Server(listen_addr): low-level riffq server (C core)."},
    {0, NULL},
};

static PyType_Spec server_spec = {
    .name = "riffq._core.Server",
    .basicsize = sizeof(rq_py_server),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = server_slots,
};

int rq_py_server_add_type(PyObject *m, rq_py_state *st) {
    st->server_type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &server_spec, NULL);
    if (st->server_type == NULL) return -1;
    return PyModule_AddObjectRef(m, "Server", (PyObject *)st->server_type);
}
