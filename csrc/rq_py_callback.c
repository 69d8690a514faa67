/*
 * rq_py_callback.c — the callback objects handed to Python handlers:
 * QueryCallback (result of a query) and BoolCallback (connect/auth verdict).
 *
 * Each owns one reference to its rq_job, dropped when the object dies. They
 * may be called from any thread that holds the GIL, later than the handler
 * returns; the first call with effect answers the job, later ones are
 * ignored with a warning (rq_job_answer_* refuses them).
 */
#include <errno.h>

#include "rq_py.h"

typedef struct {
    PyObject_HEAD
    rq_job *job;
    rq_py_state *st;
    PyObject *module; /* keeps st alive */
} rq_py_cb;

static void cb_dealloc(rq_py_cb *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    rq_job *job = self->job;
    self->job = NULL;
    Py_CLEAR(self->module);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
    if (job) {
        /* The last unref may release an Arrow stream, which takes the GIL
         * again in the host: allowed (PyGILState is re-entrant). */
        rq_job_unref(job);
    }
}

static int cb_traverse(rq_py_cb *self, visitproc visit, void *arg) {
    Py_VISIT(self->module);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static PyObject *cb_new(rq_py_state *st, PyTypeObject *tp, rq_job *job) {
    rq_py_cb *self = PyObject_GC_New(rq_py_cb, tp);
    if (self == NULL) {
        rq_job_unref(job);
        return NULL;
    }
    self->job = job;
    self->st = st;
    self->module = PyType_GetModule(tp);
    Py_XINCREF(self->module);
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

PyObject *rq_py_query_callback_new(rq_py_state *st, rq_job *job) {
    return cb_new(st, st->query_cb_type, job);
}

PyObject *rq_py_bool_callback_new(rq_py_state *st, rq_job *job) {
    return cb_new(st, st->bool_cb_type, job);
}

static void warn_twice(rq_py_cb *self) {
    if (rq_job_conn_gone(self->job)) {
        rq_py_log(self->st, RQ_PY_LOG_DEBUG, "connection %llu closed before its callback was called",
                  (unsigned long long)rq_job_conn_id(self->job));
        return;
    }
    rq_py_log(self->st, RQ_PY_LOG_WARNING,
              "callback for connection %llu called after the result was already given "
              "(or the query timed out / was cancelled); ignored",
              (unsigned long long)rq_job_conn_id(self->job));
}

/* ---- QueryCallback ---- */

/* Fill err from the is_error forms: tuple/list (severity, sqlstate, message
 * [, detail [, hint]]), an exception, or a plain message. */
static int error_from(rq_py_cb *self, PyObject *r, rq_error *err) {
    rq_error_set(err, RQ_SEV_ERROR, "XX000", "%s", "error");
    if (PyExceptionInstance_Check(r)) {
        PyErr_SetObject((PyObject *)Py_TYPE(r), r);
        rq_py_exception_to_error(self->st, "query", RQ_SEV_ERROR, "XX000", err);
        return 0;
    }
    if (PyTuple_Check(r) || PyList_Check(r)) {
        PyObject *seq = PySequence_Fast(r, "error must be a sequence");
        if (seq == NULL) return -1;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        char *fields[5] = {err->severity, err->sqlstate, err->message, err->detail, err->hint};
        size_t caps[5] = {sizeof err->severity, sizeof err->sqlstate, sizeof err->message,
                          sizeof err->detail, sizeof err->hint};
        for (Py_ssize_t i = 0; i < n && i < 5; i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
            if (item == Py_None) continue;
            PyObject *s = PyObject_Str(item);
            const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
            if (u) rq_strlcpy(fields[i], u, caps[i]);
            Py_XDECREF(s);
            if (u == NULL) {
                Py_DECREF(seq);
                return -1;
            }
        }
        Py_DECREF(seq);
        if (n == 1) { /* (message,) */
            rq_strlcpy(err->message, err->severity, sizeof err->message);
            rq_strlcpy(err->severity, RQ_SEV_ERROR, sizeof err->severity);
        }
        if (strlen(err->sqlstate) != 5) rq_strlcpy(err->sqlstate, "XX000", sizeof err->sqlstate);
        return 0;
    }
    PyObject *s = PyObject_Str(r);
    const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
    if (u) rq_strlcpy(err->message, u, sizeof err->message);
    Py_XDECREF(s);
    return u ? 0 : -1;
}

/* ---- a one-batch stream built here (pyarrow RecordBatch answers) ----
 *
 * pyarrow's RecordBatch.__arrow_c_stream__ builds a Table and a reader and
 * releases the GIL three times on the way; __arrow_c_array__ exports the
 * batch with one release. Each GIL release is a hand-off to another worker
 * when several handlers run at once, so small answers (select 1) are
 * streamed from the exported batch through this minimal stream. The stream
 * never leaves the core, whose cursor asks for the schema once and copies
 * what it needs from it before releasing it: get_schema lends a view. */
typedef struct {
    struct ArrowSchema schema;
    struct ArrowArray array;
} one_batch;

static void view_release(struct ArrowSchema *s) { s->release = NULL; }

static int one_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out) {
    one_batch *b = st->private_data;
    if (b->schema.release == NULL) return EINVAL;
    *out = b->schema;
    out->release = view_release; /* the children stay the stream's */
    return 0;
}

static int one_get_next(struct ArrowArrayStream *st, struct ArrowArray *out) {
    one_batch *b = st->private_data;
    *out = b->array;               /* the batch once, then end of stream */
    b->array.release = NULL;
    return 0;
}

static const char *one_last_error(struct ArrowArrayStream *st) {
    (void)st;
    return NULL;
}

static void one_release(struct ArrowArrayStream *st) {
    one_batch *b = st->private_data;
    if (b->array.release) b->array.release(&b->array);
    if (b->schema.release) b->schema.release(&b->schema);
    free(b);
    st->release = NULL;
}

int rq_py_stream_needs_gil(const struct ArrowArrayStream *st) {
    /* Ours holds only Arrow C structs, whose release callbacks (like those
     * of every batch, which the cursor releases without the GIL) cannot
     * require the GIL. */
    return st->release != one_release;
}

static int is_pyarrow_batch(PyObject *r) {
    return strcmp(Py_TYPE(r)->tp_name, "pyarrow.lib.RecordBatch") == 0;
}

/* Move the C structs out of r.__arrow_c_array__()'s capsules into `out`.
 * 0, or -1 with a Python exception. */
static int batch_stream(PyObject *r, struct ArrowArrayStream *out) {
    PyObject *pair = PyObject_CallMethod(r, "__arrow_c_array__", NULL);
    if (pair == NULL) return -1;
    int rc = -1;
    struct ArrowSchema *sc = NULL;
    struct ArrowArray *ar = NULL;
    if (PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2) {
        sc = PyCapsule_GetPointer(PyTuple_GET_ITEM(pair, 0), "arrow_schema");
        ar = sc ? PyCapsule_GetPointer(PyTuple_GET_ITEM(pair, 1), "arrow_array") : NULL;
    } else {
        PyErr_SetString(PyExc_TypeError, "__arrow_c_array__ must return a pair of capsules");
    }
    one_batch *b = (sc && ar) ? calloc(1, sizeof *b) : NULL;
    if (sc && ar && b == NULL) PyErr_NoMemory();
    if (b && (sc->release == NULL || ar->release == NULL)) {
        PyErr_SetString(PyExc_ValueError, "the Arrow batch was already consumed");
        free(b);
        b = NULL;
    }
    if (b) {
        b->schema = *sc; /* moved: the capsules' destructors see release == NULL */
        sc->release = NULL;
        b->array = *ar;
        ar->release = NULL;
        out->get_schema = one_get_schema;
        out->get_next = one_get_next;
        out->get_last_error = one_last_error;
        out->release = one_release;
        out->private_data = b;
        rc = 0;
    }
    Py_DECREF(pair);
    return rc;
}

/* A stream capsule for `r`: the capsule itself, r.__arrow_c_stream__(), or
 * riffq._bridge.to_stream_capsule(r). New reference. */
static PyObject *capsule_of(rq_py_cb *self, PyObject *r) {
    if (PyCapsule_IsValid(r, "arrow_array_stream")) {
        Py_INCREF(r);
        return r;
    }
    PyObject *meth = PyObject_GetAttr(r, self->st->str_arrow_c_stream);
    if (meth) {
        PyObject *cap = PyObject_CallNoArgs(meth);
        Py_DECREF(meth);
        return cap;
    }
    PyErr_Clear();
    PyObject *args = PyTuple_Pack(1, r);
    if (args == NULL) return NULL;
    PyObject *cap = rq_py_bridge_call(self->st, "to_stream_capsule", args);
    Py_DECREF(args);
    return cap;
}

static int answer_result(rq_py_cb *self, PyObject *r) {
    if (is_pyarrow_batch(r)) {
        struct ArrowArrayStream st;
        if (batch_stream(r, &st) == 0) return rq_job_answer_stream(self->job, &st);
        rq_error err;
        rq_py_exception_to_error(self->st, "query result", RQ_SEV_ERROR, "XX000", &err);
        return rq_job_answer_error(self->job, &err);
    }
    PyObject *cap = capsule_of(self, r);
    struct ArrowArrayStream *stream = NULL;
    if (cap) {
        stream = PyCapsule_GetPointer(cap, "arrow_array_stream");
        if (stream && stream->release == NULL) {
            PyErr_SetString(PyExc_ValueError, "the Arrow stream was already consumed");
            stream = NULL;
        }
    }
    if (stream == NULL) {
        Py_XDECREF(cap);
        rq_error err;
        rq_py_exception_to_error(self->st, "query result", RQ_SEV_ERROR, "XX000", &err);
        return rq_job_answer_error(self->job, &err);
    }
    int rc = rq_job_answer_stream(self->job, stream); /* moves the stream out */
    Py_DECREF(cap);
    return rc;
}

static PyObject *query_cb_call(rq_py_cb *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"result", "is_tag", "is_error", NULL};
    PyObject *r;
    int is_tag = 0, is_error = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$pp:callback", kwlist, &r, &is_tag, &is_error))
        return NULL;
    if (rq_job_is_done(self->job)) {
        warn_twice(self);
        Py_RETURN_NONE;
    }
    int rc;
    if (is_tag) {
        PyObject *s = PyObject_Str(r);
        const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
        if (u == NULL) {
            Py_XDECREF(s);
            return NULL;
        }
        rc = rq_job_answer_tag(self->job, u);
        Py_DECREF(s);
    } else if (is_error) {
        rq_error err;
        if (error_from(self, r, &err) < 0) return NULL;
        rc = rq_job_answer_error(self->job, &err);
    } else {
        rc = answer_result(self, r);
    }
    if (rc == RQ_ECLOSED) warn_twice(self);
    Py_RETURN_NONE;
}

/* cb.set_parameter(name, value): a session parameter changed (SET): the
 * client gets ParameterStatus; TimeZone also retimes later results. */
static PyObject *query_cb_set_parameter(rq_py_cb *self, PyObject *args) {
    const char *name, *value;
    if (!PyArg_ParseTuple(args, "ss:set_parameter", &name, &value)) return NULL;
    rq_error err;
    const char *reported = value;
    if (rq_job_set_parameter(self->job, name, value, &reported, &err) != RQ_OK) {
        PyErr_SetString(PyExc_ValueError, err.message);
        return NULL;
    }
    return PyUnicode_DecodeUTF8(reported, strlen(reported), "replace");
}

static PyMethodDef query_cb_methods[] = {
    {"set_parameter", (PyCFunction)query_cb_set_parameter, METH_VARARGS,
     "set_parameter(name, value) -> str: report a changed session parameter (ParameterStatus) "
     "and return the value sent; TimeZone also sets the zone of later timestamptz results "
     "(canonical name returned). ValueError: unknown zone."},
    {NULL, NULL, 0, NULL},
};

/* ---- BoolCallback ---- */

static PyObject *bool_cb_call(rq_py_cb *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"result", "message", "severity", "sqlstate", NULL};
    PyObject *r;
    const char *message = NULL, *severity = NULL, *sqlstate = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|zzz:callback", kwlist, &r, &message,
                                     &severity, &sqlstate))
        return NULL;
    int ok = PyObject_IsTrue(r);
    if (ok < 0) return NULL;
    if (rq_job_is_done(self->job)) {
        warn_twice(self);
        Py_RETURN_NONE;
    }
    rq_error err;
    rq_error_clear(&err);
    if (!ok && (message || severity || sqlstate)) {
        int auth = rq_job_get_kind(self->job) == RQ_JOB_AUTH;
        rq_error_set(&err, severity ? severity : RQ_SEV_FATAL,
                     sqlstate ? sqlstate : (auth ? "28P01" : "28000"), "%s",
                     message ? message : (auth ? "authentication failed" : "connection rejected"));
    }
    if (rq_job_answer_bool(self->job, ok, &err) == RQ_ECLOSED) warn_twice(self);
    Py_RETURN_NONE;
}

/* ---- properties ---- */

static PyObject *cb_get_done(rq_py_cb *self, void *closure) {
    (void)closure;
    return PyBool_FromLong(rq_job_is_done(self->job));
}

static PyObject *cb_get_conn_id(rq_py_cb *self, void *closure) {
    (void)closure;
    return PyLong_FromUnsignedLongLong(rq_job_conn_id(self->job));
}

static PyGetSetDef cb_getset[] = {
    {"done", (getter)cb_get_done, NULL, "True once a result was given (or the query expired).", NULL},
    {"conn_id", (getter)cb_get_conn_id, NULL, "Connection id the callback answers for.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot query_cb_slots[] = {
    {Py_tp_dealloc, cb_dealloc},
    {Py_tp_traverse, cb_traverse},
    {Py_tp_call, query_cb_call},
    {Py_tp_methods, query_cb_methods},
    {Py_tp_getset, cb_getset},
    {Py_tp_doc, "callback(result, *, is_tag=False, is_error=False): answer a query exactly once."},
    {0, NULL},
};

static PyType_Slot bool_cb_slots[] = {
    {Py_tp_dealloc, cb_dealloc},
    {Py_tp_traverse, cb_traverse},
    {Py_tp_call, bool_cb_call},
    {Py_tp_getset, cb_getset},
    {Py_tp_doc, "callback(result, message=None, severity=None, sqlstate=None): accept or refuse."},
    {0, NULL},
};

static PyType_Spec query_cb_spec = {
    .name = "riffq._core.QueryCallback",
    .basicsize = sizeof(rq_py_cb),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = query_cb_slots,
};

static PyType_Spec bool_cb_spec = {
    .name = "riffq._core.BoolCallback",
    .basicsize = sizeof(rq_py_cb),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = bool_cb_slots,
};

int rq_py_callback_add_types(PyObject *m, rq_py_state *st) {
    st->query_cb_type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &query_cb_spec, NULL);
    st->bool_cb_type = (PyTypeObject *)PyType_FromModuleAndSpec(m, &bool_cb_spec, NULL);
    if (st->query_cb_type == NULL || st->bool_cb_type == NULL) return -1;
    if (PyModule_AddObjectRef(m, "QueryCallback", (PyObject *)st->query_cb_type) < 0) return -1;
    return PyModule_AddObjectRef(m, "BoolCallback", (PyObject *)st->bool_cb_type);
}
