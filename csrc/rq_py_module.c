/*
 * rq_py_module.c — the riffq._core extension module: module state, logging
 * and error helpers shared by the binding files.
 */
#include <stdarg.h>
#include <stdio.h>

#include "rq_encode.h"
#include "rq_py.h"

rq_py_state *rq_py_state_of_module(PyObject *module) {
    return (rq_py_state *)PyModule_GetState(module);
}

static PyObject *bridge(rq_py_state *st) {
    if (st->bridge == NULL) st->bridge = PyImport_ImportModule("riffq._bridge");
    return st->bridge;
}

PyObject *rq_py_bridge_call(rq_py_state *st, const char *name, PyObject *args) {
    PyObject *mod = bridge(st);
    if (mod == NULL) return NULL;
    PyObject *fn = PyObject_GetAttrString(mod, name);
    if (fn == NULL) return NULL;
    PyObject *res = PyObject_CallObject(fn, args);
    Py_DECREF(fn);
    return res;
}

void rq_py_log(rq_py_state *st, int level, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    PyObject *exc_type, *exc_val, *exc_tb;
    PyErr_Fetch(&exc_type, &exc_val, &exc_tb); /* logging must not eat a pending error */
    PyObject *args = Py_BuildValue("(is)", level, msg);
    PyObject *res = args ? rq_py_bridge_call(st, "log", args) : NULL;
    Py_XDECREF(args);
    if (res == NULL) PyErr_Clear();
    Py_XDECREF(res);
    PyErr_Restore(exc_type, exc_val, exc_tb);
}

/* Copy str(obj) into dst; 0 on success. Clears errors. */
static int str_into(PyObject *obj, char *dst, size_t cap) {
    PyObject *s = obj ? (PyUnicode_Check(obj) ? (Py_INCREF(obj), obj) : PyObject_Str(obj)) : NULL;
    const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
    if (u) rq_strlcpy(dst, u, cap);
    else PyErr_Clear();
    Py_XDECREF(s);
    return u ? 0 : -1;
}

void rq_py_exception_to_error(rq_py_state *st, const char *where, const char *severity,
                              const char *sqlstate, rq_error *err) {
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (v && tb) PyException_SetTraceback(v, tb);
    rq_error_set(err, severity, sqlstate, "%s", "handler raised an exception");
    PyObject *args = Py_BuildValue("(sO)", where, v ? v : Py_None);
    PyObject *msg = args ? rq_py_bridge_call(st, "handler_failed", args) : NULL;
    Py_XDECREF(args);
    if (msg == NULL || str_into(msg, err->message, sizeof err->message) != 0) {
        PyErr_Clear();
        str_into(v, err->message, sizeof err->message);
    }
    Py_XDECREF(msg);
    /* An exception carrying a PostgreSQL SQLSTATE (psycopg's errors do) keeps it. */
    PyObject *code = v ? PyObject_GetAttrString(v, "sqlstate") : NULL;
    if (code && PyUnicode_Check(code) && PyUnicode_GetLength(code) == 5)
        str_into(code, err->sqlstate, sizeof err->sqlstate);
    Py_XDECREF(code);
    PyErr_Clear();
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* pg_types(schema): what RowDescription would say for an Arrow schema
 * (any object with __arrow_c_schema__, e.g. pyarrow.Schema):
 * [(name, type_oid, typlen, typmod), ...]. Catalog emulation reports table
 * columns with it, so pg_attribute and query results always agree. */
static PyObject *m_pg_types(PyObject *module, PyObject *obj) {
    (void)module;
    PyObject *cap = PyObject_CallMethod(obj, "__arrow_c_schema__", NULL);
    if (cap == NULL) return NULL;
    struct ArrowSchema *schema = PyCapsule_GetPointer(cap, "arrow_schema");
    if (schema == NULL) {
        Py_DECREF(cap);
        return NULL;
    }
    rq_session_fmt fmt = {NULL, 1};
    rq_rowplan *plan = NULL;
    rq_error err;
    PyObject *out = NULL;
    if (rq_rowplan_new(schema, &fmt, &plan, &err) != RQ_OK) {
        PyErr_Format(PyExc_TypeError, "%s", err.message);
    } else if ((out = PyList_New(rq_rowplan_ncols(plan))) != NULL) {
        for (int i = 0; i < rq_rowplan_ncols(plan); i++) {
            const rq_colinfo *ci = rq_rowplan_col(plan, i);
            PyObject *t = Py_BuildValue("(sIhi)", ci->name, (unsigned)ci->type_oid, ci->typlen,
                                        (int)ci->typmod);
            if (t == NULL) {
                Py_CLEAR(out);
                break;
            }
            PyList_SET_ITEM(out, i, t);
        }
    }
    rq_rowplan_free(plan);
    Py_DECREF(cap);
    return out;
}

static PyMethodDef module_methods[] = {
    {"pg_types", m_pg_types, METH_O,
     "pg_types(schema) -> [(name, type_oid, typlen, typmod)]: the PostgreSQL column types "
     "riffq reports for an Arrow schema (TypeError when a type has no mapping)."},
    {NULL, NULL, 0, NULL},
};

static int module_exec(PyObject *m) {
    rq_py_state *st = rq_py_state_of_module(m);
    st->kw_query_simple = Py_BuildValue("(ss)", "connection_id", "do_describe");
    st->kw_query_ext = Py_BuildValue("(ssss)", "connection_id", "do_describe", "query_args", "param_types");
    st->kw_connect = Py_BuildValue("(ss)", "callback", "server_name");
    st->kw_auth = Py_BuildValue("(ss)", "callback", "database");
    st->kw_conn_id = Py_BuildValue("(s)", "connection_id");
    st->str_arrow_c_stream = PyUnicode_InternFromString("__arrow_c_stream__");
    if (!st->kw_query_simple || !st->kw_query_ext || !st->kw_connect || !st->kw_auth ||
        !st->kw_conn_id || !st->str_arrow_c_stream)
        return -1;
    if (rq_py_callback_add_types(m, st) < 0) return -1;
    if (rq_py_server_add_type(m, st) < 0) return -1;
    return PyModule_AddStringConstant(m, "__version__", "0.2.0");
}

static int module_traverse(PyObject *m, visitproc visit, void *arg) {
    rq_py_state *st = rq_py_state_of_module(m);
    Py_VISIT(st->server_type);
    Py_VISIT(st->query_cb_type);
    Py_VISIT(st->bool_cb_type);
    Py_VISIT(st->bridge);
    Py_VISIT(st->params_decimal);
    Py_VISIT(st->params_uuid);
    Py_VISIT(st->params_interval);
    return 0;
}

static int module_clear(PyObject *m) {
    rq_py_state *st = rq_py_state_of_module(m);
    Py_CLEAR(st->server_type);
    Py_CLEAR(st->query_cb_type);
    Py_CLEAR(st->bool_cb_type);
    Py_CLEAR(st->bridge);
    Py_CLEAR(st->kw_query_simple);
    Py_CLEAR(st->kw_query_ext);
    Py_CLEAR(st->kw_connect);
    Py_CLEAR(st->kw_auth);
    Py_CLEAR(st->kw_conn_id);
    Py_CLEAR(st->str_arrow_c_stream);
    Py_CLEAR(st->params_decimal);
    Py_CLEAR(st->params_uuid);
    Py_CLEAR(st->params_interval);
    Py_CLEAR(st->params_kw_bytes);
    return 0;
}

static void module_free(void *m) { module_clear((PyObject *)m); }

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "riffq._core",
    .m_doc = "riffq's C core: PostgreSQL wire protocol server streaming Arrow data.",
    .m_size = sizeof(rq_py_state),
    .m_slots = module_slots,
    .m_methods = module_methods,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&module_def); }
