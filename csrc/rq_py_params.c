/*
 * rq_py_params.c — Bind parameters as Python objects.
 *
 * rq_params.c decodes each parameter into an rq_pvalue (and rejects
 * malformed bytes with PostgreSQL's SQLSTATE); this file only maps those
 * values onto Python objects:
 *
 *   NULL                → None
 *   bool                → bool
 *   int2/int4/int8/oid  → int
 *   float4/float8       → float (float4 via its shortest decimal text)
 *   numeric             → decimal.Decimal (NaN, Infinity, -Infinity too)
 *   text, varchar, bpchar, name, "char", unknown/untyped (OID 0, 705),
 *   json, jsonb         → str (json/jsonb validated, kept as sent)
 *   bytea               → bytes; binary values of other types → bytes
 *   date                → datetime.date (±infinity → date.max / date.min)
 *   time                → datetime.time
 *   timetz              → datetime.time with a fixed-offset tzinfo
 *   timestamp           → naive datetime.datetime (±infinity → max / min)
 *   timestamptz         → datetime.datetime in UTC (tzinfo=timezone.utc)
 *   interval            → datetime.timedelta when it has no months (and
 *                          fits timedelta), else riffq.Interval(months,
 *                          days, microseconds), a namedtuple
 *   uuid                → uuid.UUID
 *   arrays              → lists, nested for several dimensions (lower
 *                          bounds are dropped; empty arrays are [])
 *
 * Values PostgreSQL accepts but Python cannot hold are rejected with
 * 22008 (datetime_field_overflow): dates/timestamps outside years
 * 1..9999, time 24:00:00.
 *
 * Modules are imported lazily and cached in rq_py_state (params_* fields).
 */
#include "rq_py.h"

#include <datetime.h>
#include <string.h>

#include "rq_params.h"

#define USEC_PER_DAY INT64_C(86400000000)

/* Turn the pending Python exception into `err` (cleared). */
static PyObject *py_failed(rq_py_state *st, rq_error *err) {
    if (PyErr_ExceptionMatches(PyExc_MemoryError)) {
        PyErr_Clear();
        rq_error_nomem(err);
    } else {
        rq_py_exception_to_error(st, "parameters", RQ_SEV_ERROR, "XX000", err);
    }
    return NULL;
}

static PyObject *import_attr(const char *module, const char *name) {
    PyObject *m = PyImport_ImportModule(module);
    if (m == NULL) return NULL;
    PyObject *a = PyObject_GetAttrString(m, name);
    Py_DECREF(m);
    return a;
}

/* riffq.Interval when the package defines it, else a namedtuple of ours. */
static PyObject *interval_class(void) {
    PyObject *cls = import_attr("riffq", "Interval");
    if (cls != NULL) return cls;
    PyErr_Clear();
    PyObject *nt = import_attr("collections", "namedtuple");
    if (nt == NULL) return NULL;
    PyObject *args = Py_BuildValue("(s(sss))", "Interval", "months", "days", "microseconds");
    PyObject *kw = Py_BuildValue("{ss}", "module", "riffq");
    cls = args && kw ? PyObject_Call(nt, args, kw) : NULL;
    Py_DECREF(nt);
    Py_XDECREF(args);
    Py_XDECREF(kw);
    return cls;
}

/* Set *slot to `obj` unless another thread did first (imports can release
 * the GIL). Steals obj. */
static int cache(PyObject **slot, PyObject *obj) {
    if (obj == NULL) return -1;
    if (*slot == NULL) *slot = obj;
    else Py_DECREF(obj);
    return 0;
}

static int ensure_ready(rq_py_state *st, rq_error *err) {
    if (PyDateTimeAPI == NULL) {
        PyDateTime_IMPORT;
        if (PyDateTimeAPI == NULL) goto fail;
    }
    if (st->params_decimal == NULL && cache(&st->params_decimal, import_attr("decimal", "Decimal")) < 0)
        goto fail;
    if (st->params_uuid == NULL && cache(&st->params_uuid, import_attr("uuid", "UUID")) < 0) goto fail;
    if (st->params_interval == NULL && cache(&st->params_interval, interval_class()) < 0) goto fail;
    if (st->params_kw_bytes == NULL && cache(&st->params_kw_bytes, Py_BuildValue("(s)", "bytes")) < 0)
        goto fail;
    return 0;
fail:
    py_failed(st, err);
    return -1;
}

static PyObject *out_of_python_range(const char *what, const char *text, rq_error *err) {
    rq_error_set(err, RQ_SEV_ERROR, "22008", "%s %s is out of the range of Python's datetime (years 1..9999)",
                 what, text);
    return NULL;
}

/* Calendar date of `days` since 2000-01-01 inside Python's range. */
static int py_civil(int64_t days, int *y, int *m, int *d, const char *what, rq_error *err) {
    int64_t year;
    rq_param_civil(days, &year, m, d);
    if (year < 1 || year > 9999) {
        char buf[RQ_DT_BUFSZ];
        if (rq_fmt_date(days + 10957, buf, NULL) < 0) rq_strlcpy(buf, "?", sizeof buf);
        out_of_python_range(what, buf, err);
        return -1;
    }
    *y = (int)year;
    return 0;
}

static PyObject *py_date(rq_py_state *st, int32_t days, rq_error *err) {
    int y, m, d;
    PyObject *o;
    if (days == RQ_PV_DATE_INF) o = PyDate_FromDate(9999, 12, 31);
    else if (days == RQ_PV_DATE_NINF) o = PyDate_FromDate(1, 1, 1);
    else if (py_civil(days, &y, &m, &d, "date", err) < 0) return NULL;
    else o = PyDate_FromDate(y, m, d);
    return o ? o : py_failed(st, err);
}

static PyObject *py_tz(int32_t east) {
    if (east == 0) {
        Py_INCREF(PyDateTime_TimeZone_UTC);
        return PyDateTime_TimeZone_UTC;
    }
    PyObject *delta = PyDelta_FromDSU(0, east, 0);
    if (delta == NULL) return NULL;
    PyObject *tz = PyTimeZone_FromOffset(delta);
    Py_DECREF(delta);
    return tz;
}

static PyObject *py_time(rq_py_state *st, int64_t usec, int timetz, int32_t zone, rq_error *err) {
    if (usec >= USEC_PER_DAY) {
        rq_error_set(err, RQ_SEV_ERROR, "22008", "time 24:00:00 is out of the range of Python's datetime.time");
        return NULL;
    }
    int64_t s = usec / 1000000;
    PyObject *tz = Py_None;
    if (timetz && (tz = py_tz(zone)) == NULL) return py_failed(st, err);
    if (!timetz) Py_INCREF(tz);
    PyObject *o = PyDateTimeAPI->Time_FromTime((int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60),
                                               (int)(usec % 1000000), tz, PyDateTimeAPI->TimeType);
    Py_DECREF(tz);
    return o ? o : py_failed(st, err);
}

static PyObject *py_timestamp(rq_py_state *st, int64_t ts, int utc, rq_error *err) {
    int y, m, d;
    int64_t tod;
    PyObject *tz = utc ? PyDateTime_TimeZone_UTC : Py_None;
    if (ts == RQ_PV_TS_INF) {
        y = 9999, m = 12, d = 31;
        tod = USEC_PER_DAY - 1;
    } else if (ts == RQ_PV_TS_NINF) {
        y = 1, m = 1, d = 1;
        tod = 0;
    } else {
        int64_t days = ts / USEC_PER_DAY;
        tod = ts % USEC_PER_DAY;
        if (tod < 0) {
            tod += USEC_PER_DAY;
            days--;
        }
        if (py_civil(days, &y, &m, &d, utc ? "timestamptz" : "timestamp", err) < 0) return NULL;
    }
    int64_t s = tod / 1000000;
    PyObject *o = PyDateTimeAPI->DateTime_FromDateAndTime(y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
                                                          (int)(s % 60), (int)(tod % 1000000), tz,
                                                          PyDateTimeAPI->DateTimeType);
    return o ? o : py_failed(st, err);
}

static PyObject *py_interval(rq_py_state *st, int32_t months, int32_t days, int64_t usec, rq_error *err) {
    int64_t d = days + usec / USEC_PER_DAY, rest = usec % USEC_PER_DAY;
    if (months == 0 && d > -999999999 && d < 999999999) {
        PyObject *o = PyDelta_FromDSU((int)d, (int)(rest / 1000000), (int)(rest % 1000000));
        return o ? o : py_failed(st, err);
    }
    PyObject *o = PyObject_CallFunction(st->params_interval, "iiL", (int)months, (int)days, (long long)usec);
    return o ? o : py_failed(st, err);
}

static PyObject *value_to_py(rq_py_state *st, const rq_pvalue *v, rq_error *err);

/* Nested lists for dimension `dim` onwards, consuming items from *next. */
static PyObject *array_level(rq_py_state *st, const rq_pvalue *v, int dim, size_t *next, rq_error *err) {
    int32_t n = v->u.arr.dims[dim];
    PyObject *list = PyList_New(n);
    if (list == NULL) return py_failed(st, err);
    for (int32_t i = 0; i < n; i++) {
        PyObject *item = dim + 1 < v->u.arr.ndim ? array_level(st, v, dim + 1, next, err)
                                                : value_to_py(st, &v->u.arr.items[(*next)++], err);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyObject *py_uuid(rq_py_state *st, const uint8_t *b, rq_error *err) {
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)b, 16);
    if (bytes == NULL) return py_failed(st, err);
    PyObject *argv[1] = {bytes};
    PyObject *o = PyObject_Vectorcall(st->params_uuid, argv, 0, st->params_kw_bytes);
    Py_DECREF(bytes);
    return o ? o : py_failed(st, err);
}

static PyObject *py_decimal(rq_py_state *st, const char *p, size_t n, rq_error *err) {
    PyObject *s = PyUnicode_FromStringAndSize(p, (Py_ssize_t)n);
    if (s == NULL) return py_failed(st, err);
    PyObject *o = PyObject_CallOneArg(st->params_decimal, s);
    Py_DECREF(s);
    return o ? o : py_failed(st, err);
}

/* New reference, or NULL with `err` filled and no exception pending. */
static PyObject *value_to_py(rq_py_state *st, const rq_pvalue *v, rq_error *err) {
    PyObject *o;
    switch (v->kind) {
    case RQ_PV_NULL: Py_RETURN_NONE;
    case RQ_PV_BOOL: return PyBool_FromLong(v->u.b);
    case RQ_PV_INT: o = PyLong_FromLongLong(v->u.i); break;
    case RQ_PV_FLOAT: o = PyFloat_FromDouble(v->u.f); break;
    case RQ_PV_NUMERIC: return py_decimal(st, v->u.s.p, v->u.s.len, err);
    case RQ_PV_TEXT: o = PyUnicode_DecodeUTF8(v->u.s.p, (Py_ssize_t)v->u.s.len, "strict"); break;
    case RQ_PV_BYTES: o = PyBytes_FromStringAndSize(v->u.s.p, (Py_ssize_t)v->u.s.len); break;
    case RQ_PV_DATE: return py_date(st, v->u.date, err);
    case RQ_PV_TIME: return py_time(st, v->u.time.usec, 0, 0, err);
    case RQ_PV_TIMETZ: return py_time(st, v->u.time.usec, 1, v->u.time.zone, err);
    case RQ_PV_TIMESTAMP: return py_timestamp(st, v->u.ts, 0, err);
    case RQ_PV_TIMESTAMPTZ: return py_timestamp(st, v->u.ts, 1, err);
    case RQ_PV_INTERVAL: return py_interval(st, v->u.iv.months, v->u.iv.days, v->u.iv.usec, err);
    case RQ_PV_UUID: return py_uuid(st, v->u.uuid, err);
    case RQ_PV_ARRAY: {
        size_t next = 0;
        if (v->u.arr.ndim == 0 || v->u.arr.nitems == 0) {
            o = PyList_New(0);
            break;
        }
        return array_level(st, v, 0, &next, err);
    }
    default:
        rq_error_set(err, RQ_SEV_ERROR, "XX000", "unexpected parameter value kind %d", (int)v->kind);
        return NULL;
    }
    return o ? o : py_failed(st, err);
}

int rq_py_build_params(rq_py_state *st, rq_job *job, PyObject **args_out, PyObject **types_out,
                       rq_error *err) {
    int n = rq_job_nparams(job);
    *args_out = *types_out = NULL;
    if (n < 0) n = 0;
    if (ensure_ready(st, err) < 0) return -1;
    PyObject *args = PyList_New(n), *types = PyList_New(n);
    if (args == NULL || types == NULL) {
        Py_XDECREF(args);
        Py_XDECREF(types);
        py_failed(st, err);
        return -1;
    }
    /* The session TimeZone is not part of the job (rq_host.h): text
     * timestamptz/timetz without an explicit zone are read as UTC. */
    rq_param_ctx ctx;
    rq_param_ctx_init(&ctx, rq_job_timezone(job)); /* session TimeZone */
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int32_t len = -1;
        int16_t fmt = 0;
        uint32_t oid = 0;
        const uint8_t *data = rq_job_param(job, i, &len, &fmt, &oid);
        rq_pvalue v;
        PyObject *t = PyLong_FromUnsignedLong(oid), *o = NULL;
        if (t == NULL) {
            py_failed(st, err);
            rc = -1;
        } else if (rq_param_decode(&ctx, i, oid, fmt, data, len, &v, err) != RQ_OK ||
                   (o = value_to_py(st, &v, err)) == NULL) {
            rc = -1;
        }
        if (rc != 0) {
            Py_XDECREF(t);
            break;
        }
        PyList_SET_ITEM(args, i, o);
        PyList_SET_ITEM(types, i, t);
    }
    rq_param_ctx_free(&ctx);
    if (rc != 0) {
        Py_DECREF(args);
        Py_DECREF(types);
        return -1;
    }
    *args_out = args;
    *types_out = types;
    return 0;
}
