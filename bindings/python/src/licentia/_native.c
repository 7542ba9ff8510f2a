/*
 * The binding's one compiled piece: the verify-and-check call made from C.
 *
 * Everything else goes through ctypes. A check is the call a product makes
 * most, and through ctypes its argument conversions and the two calls
 * around it (the state, the free) cost a tenth of the verification itself;
 * from here they cost almost nothing. The module does not link liblicentia:
 * _ffi.py loads the library, and bind() hands this module the addresses of
 * the three functions it calls, so there is one library in the process.
 *
 * Built against the stable ABI (Py_LIMITED_API, CPython 3.8 and later), so
 * one wheel serves every CPython 3 version. The prototypes come from
 * include/licentia.h: a change of the C ABI fails this build.
 */
#define Py_LIMITED_API 0x03080000
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "licentia.h"

typedef licentia_status (*verify_and_check_fn)(const struct licentia_verifier *, const char *,
                                               const struct licentia_check_context *,
                                               const struct licentia_environment *,
                                               struct licentia_report **);
typedef licentia_state (*report_state_fn)(const struct licentia_report *);
typedef void (*report_free_fn)(struct licentia_report *);

static verify_and_check_fn verify_and_check_c;
static report_state_fn report_state_c;
static report_free_fn report_free_c;

/* Addresses (as Python ints) to pointers: handles and functions alike are
 * passed as ctypes gives them. */
static void *address(unsigned long long value) { return (void *)(uintptr_t)value; }

/* core.Report, and the State members by number: the check makes the
 * Report itself. */
static PyObject *report_class, *states;

static PyObject *bind(PyObject *self, PyObject *args) {
    unsigned long long check_at, state_at, free_at;
    PyObject *report, *state_members;
    (void)self;
    if (!PyArg_ParseTuple(args, "KKKOO", &check_at, &state_at, &free_at, &report,
                          &state_members)) {
        return NULL;
    }
    if (!check_at || !state_at || !free_at) {
        PyErr_SetString(PyExc_ValueError, "bind: a function address is 0");
        return NULL;
    }
    if (!PyType_Check(report) || !PyTuple_Check(state_members)) {
        PyErr_SetString(PyExc_TypeError, "bind: the Report class and a tuple of states");
        return NULL;
    }
    verify_and_check_c = (verify_and_check_fn)(uintptr_t)check_at;
    report_state_c = (report_state_fn)(uintptr_t)state_at;
    report_free_c = (report_free_fn)(uintptr_t)free_at;
    Py_INCREF(report);
    Py_XDECREF(report_class);
    report_class = report;
    Py_INCREF(state_members);
    Py_XDECREF(states);
    states = state_members;
    Py_RETURN_NONE;
}

/* A string argument as UTF-8: a str (its UTF-8 form, which CPython keeps
 * in the object, so a text checked again is not encoded again) or bytes.
 * NULL, with no error set, for what cannot go to C as is (an embedded NUL,
 * a lone surrogate, another type): the caller then takes the ctypes path,
 * which reports it as it reports it everywhere. */
static const char *utf8(PyObject *value) {
    const char *text = NULL;
    if (PyBytes_Check(value)) {
        text = PyBytes_AsString(value);
        if (text != NULL && (Py_ssize_t)strlen(text) != PyBytes_Size(value)) {
            text = NULL;
        }
    } else if (PyUnicode_Check(value)) {
        if (!PyArg_Parse(value, "s", &text)) {
            text = NULL;
        }
    }
    if (text == NULL) {
        PyErr_Clear();
    }
    return text;
}

/* The name of the capsules that own reports. */
static const char REPORT_CAPSULE[] = "licentia.report";

static void free_capsule_report(PyObject *capsule) {
    void *report = PyCapsule_GetPointer(capsule, REPORT_CAPSULE);
    if (report != NULL && report_free_c != NULL) {
        report_free_c(report);
    }
}

/* A capsule that frees `report` when the last reference to it goes: a
 * Report keeps it, so no Python-level finalizer runs for each check. */
static PyObject *own(licentia_report *report) {
    return PyCapsule_New(report, REPORT_CAPSULE, free_capsule_report);
}

/* Interned attribute names of the handle objects (core.py, _lock.py). */
static PyObject *name_lock, *name_readers, *name_writing, *name_ptr, *name_tzinfo, *name_owner,
    *name_state;

/* datetime.datetime, datetime.timezone.utc, the Unix epoch and one second
 * (a timedelta), from the datetime module at import. */
static PyObject *datetime_type, *utc, *epoch, *second;

/* Unix seconds of a time: a datetime in timezone.utc (datetime.now(
 * timezone.utc), the common one), as core._to_unix computes it: (when -
 * epoch) // second, rounded down: 1. 0 for any other value, with no
 * error set: the Python path converts it, or refuses it with its message.
 * -1 on an error. */
static int unix_seconds(PyObject *when, int64_t *out) {
    PyObject *tzinfo, *since, *seconds;
    int in_utc;
    if ((PyObject *)Py_TYPE(when) != datetime_type) {
        return 0;
    }
    tzinfo = PyObject_GetAttr(when, name_tzinfo);
    if (tzinfo == NULL) {
        return -1;
    }
    in_utc = tzinfo == utc;
    Py_DECREF(tzinfo);
    if (!in_utc) {
        return 0;
    }
    since = PyNumber_Subtract(when, epoch);
    if (since == NULL) {
        return -1;
    }
    seconds = PyNumber_FloorDivide(since, second);
    Py_DECREF(since);
    if (seconds == NULL) {
        return -1;
    }
    *out = (int64_t)PyLong_AsLongLong(seconds);
    Py_DECREF(seconds);
    return PyErr_Occurred() ? -1 : 1;
}

/* Up to four handles a check reads: the verifier, the fingerprint, the
 * verifier holding the revocation list, the environment. */
#define MAX_HANDLES 4

/* The handle objects a check pins, their reader lists and addresses. */
struct pins {
    int count;
    PyObject *readers[MAX_HANDLES];
    unsigned long long address[MAX_HANDLES];
};

/* Gives back the pins taken (with the GIL). */
static void unpin(struct pins *pins) {
    for (int i = 0; i < pins->count; i++) {
        Py_ssize_t size = PyList_Size(pins->readers[i]);
        if (size > 0) {
            PyList_SetSlice(pins->readers[i], size - 1, size, NULL);
        }
        Py_DECREF(pins->readers[i]);
    }
    pins->count = 0;
}

/* _lock.py's pin(), for one handle object (None pins nothing): an entry
 * on its lock's reader list, then a look at the writer's flag (a writer
 * raising it after this look waits for the entry to go), then its address.
 * 1 when pinned, 0 when the caller must take the Python path (a writer is
 * there, or the handle is closed: that path waits, or says so), -1 on an
 * error. Whatever was pinned is in `pins`, for unpin(). */
static int pin(struct pins *pins, PyObject *handle) {
    PyObject *lock, *readers, *writing, *ptr;
    unsigned long long at;
    int busy;
    if (handle == Py_None) {
        return 1;
    }
    lock = PyObject_GetAttr(handle, name_lock);
    if (lock == NULL) {
        return -1;
    }
    readers = PyObject_GetAttr(lock, name_readers);
    if (readers == NULL || PyList_Append(readers, Py_None) < 0) {
        Py_DECREF(lock);
        Py_XDECREF(readers);
        return -1;
    }
    pins->readers[pins->count] = readers;
    pins->address[pins->count] = 0;
    pins->count++;
    writing = PyObject_GetAttr(lock, name_writing);
    Py_DECREF(lock);
    busy = writing == NULL ? -1 : PyObject_IsTrue(writing);
    Py_XDECREF(writing);
    if (busy != 0) {
        return busy < 0 ? -1 : 0;
    }
    ptr = PyObject_GetAttr(handle, name_ptr);
    if (ptr == NULL) {
        return -1;
    }
    at = PyLong_AsUnsignedLongLong(ptr);
    Py_DECREF(ptr);
    if (PyErr_Occurred()) {
        return -1;
    }
    pins->address[pins->count - 1] = at;
    return at != 0;
}

/* A core.Report owning `report`, made as Report.__new__ and three slots
 * set (_ptr, _owner, state), not through its __init__: the one Python
 * object a check makes. The report is freed whatever happens. */
static PyObject *new_report(licentia_report *report, licentia_state state) {
    PyObject *owner, *object, *ptr, *member;
    owner = own(report);
    if (owner == NULL) {
        report_free_c(report);
        return NULL;
    }
    member = (Py_ssize_t)state < PyTuple_Size(states) ? PyTuple_GetItem(states, state) : NULL;
    ptr = PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)report);
    object = member == NULL || ptr == NULL
                 ? NULL
                 : PyType_GenericAlloc((PyTypeObject *)report_class, 0);
    if (object != NULL && (PyObject_SetAttr(object, name_ptr, ptr) < 0 ||
                           PyObject_SetAttr(object, name_owner, owner) < 0 ||
                           PyObject_SetAttr(object, name_state, member) < 0)) {
        Py_CLEAR(object);
    }
    if (member == NULL && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "the library gave a state this binding does not know");
    }
    Py_XDECREF(ptr);
    Py_DECREF(owner);
    return object;
}

/* check(verifier, text, now, product, machine, user, release_date,
 *       last_check_in, revocations, environment) -> (status, Report or None) or None
 *
 * verifier, machine, revocations and environment are the handle objects
 * (all but verifier may be None); the call is
 * licentia_verify_and_check_in_environment, which with no environment is
 * licentia_verify_and_check; text, product and user (or None) are str or
 * bytes; now, release_date and last_check_in (or None) datetimes. The
 * handles are pinned here as _lock.py pins them, and the GIL is released
 * for the verification, so threads verify in parallel. None when the Python
 * path must run instead: a string that cannot go to C as is (see utf8()), a
 * time not in timezone.utc (see unix_seconds()), a handle closed or being
 * changed. */
static PyObject *check(PyObject *self, PyObject *args) {
    PyObject *verifier, *machine, *revocations, *environment;
    const struct licentia_environment *seen = NULL;
    PyObject *text_object, *now_object, *product_object, *user_object, *release_object,
        *last_object;
    int times = 1;
    const char *text, *product, *user = NULL;
    licentia_check_context ctx;
    licentia_report *report = NULL;
    licentia_status status;
    licentia_state state = LICENTIA_STATE_INVALID;
    struct pins pins;
    int pinned = 1;
    PyObject *result;
    (void)self;

    if (verify_and_check_c == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "licentia._native is not bound to the library");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OOOOOOOOOO", &verifier, &text_object, &now_object,
                          &product_object, &machine, &user_object, &release_object, &last_object,
                          &revocations, &environment)) {
        return NULL;
    }
    text = utf8(text_object);
    product = utf8(product_object);
    if (user_object != Py_None) {
        user = utf8(user_object);
    }
    if (text == NULL || product == NULL || (user == NULL && user_object != Py_None)) {
        Py_RETURN_NONE;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.product = product;
    ctx.user = user;
    times = unix_seconds(now_object, &ctx.now);
    if (times == 1 && release_object != Py_None) {
        ctx.has_release_date = true;
        times = unix_seconds(release_object, &ctx.release_date);
    }
    if (times == 1 && last_object != Py_None) {
        ctx.has_last_check_in = true;
        times = unix_seconds(last_object, &ctx.last_check_in);
    }
    if (times != 1) {
        if (times < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }

    pins.count = 0;
    pinned = pin(&pins, verifier);
    if (pinned == 1) {
        pinned = pin(&pins, machine);
        ctx.machine = address(machine == Py_None ? 0 : pins.address[pins.count - 1]);
    }
    if (pinned == 1) {
        pinned = pin(&pins, revocations);
        ctx.revocations = address(revocations == Py_None ? 0 : pins.address[pins.count - 1]);
    }
    if (pinned == 1) {
        pinned = pin(&pins, environment);
        seen = address(environment == Py_None ? 0 : pins.address[pins.count - 1]);
    }
    if (pinned != 1) {
        unpin(&pins);
        if (pinned < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }

    Py_BEGIN_ALLOW_THREADS
    status = verify_and_check_c(address(pins.address[0]), text, &ctx, seen, &report);
    if (status == LICENTIA_OK) {
        state = report_state_c(report);
    }
    Py_END_ALLOW_THREADS

    unpin(&pins);
    if (status != LICENTIA_OK) {
        return Py_BuildValue("(IO)", (unsigned int)status, Py_None);
    }
    result = new_report(report, state);
    return result == NULL ? NULL : Py_BuildValue("(IN)", (unsigned int)status, result);
}

/* own_report(report) -> an owner that frees it (0: None): for reports a
 * ctypes call gave. */
static PyObject *own_report(PyObject *self, PyObject *arg) {
    unsigned long long report;
    (void)self;
    report = PyLong_AsUnsignedLongLong(arg);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (report == 0) {
        Py_RETURN_NONE;
    }
    return own(address(report));
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_VARARGS, "Takes the addresses of the library's functions."},
    {"check", check, METH_VARARGS, "Verifies and checks a license in one call."},
    {"own_report", own_report, METH_O, "An owner that frees a report when it goes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "licentia._native", "The verify-and-check call, made from C.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    PyObject *datetime, *timezone, *timedelta;
    name_lock = PyUnicode_InternFromString("_lock");
    name_readers = PyUnicode_InternFromString("_readers");
    name_writing = PyUnicode_InternFromString("_writing");
    name_ptr = PyUnicode_InternFromString("_ptr");
    name_tzinfo = PyUnicode_InternFromString("tzinfo");
    name_owner = PyUnicode_InternFromString("_owner");
    name_state = PyUnicode_InternFromString("state");
    if (name_lock == NULL || name_readers == NULL || name_writing == NULL || name_ptr == NULL ||
        name_tzinfo == NULL || name_owner == NULL || name_state == NULL) {
        return NULL;
    }
    datetime = PyImport_ImportModule("datetime");
    if (datetime == NULL) {
        return NULL;
    }
    datetime_type = PyObject_GetAttrString(datetime, "datetime");
    timezone = PyObject_GetAttrString(datetime, "timezone");
    timedelta = PyObject_GetAttrString(datetime, "timedelta");
    Py_DECREF(datetime);
    utc = timezone == NULL ? NULL : PyObject_GetAttrString(timezone, "utc");
    epoch = utc == NULL ? NULL : PyObject_CallFunction(datetime_type, "iiiiiiiO", 1970, 1, 1, 0, 0, 0, 0, utc);
    second = timedelta == NULL ? NULL : PyObject_CallFunction(timedelta, "ii", 0, 1);
    Py_XDECREF(timezone);
    Py_XDECREF(timedelta);
    if (datetime_type == NULL || utc == NULL || epoch == NULL || second == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
