/* The C build of emulator.core.nonces' one-process cache (see there): what `PythonNonces` does with a dict and a
 * queue, kept in two flat arrays: a 16-byte slot and an 8-byte ring entry a nonce (40 to 80 bytes with the table at
 * most half full and both sized in powers of two), and no Python object. Under steady signed traffic the Python
 * build keeps an int and a float per nonce for the whole window (10^5 and more): long-lived small objects strewn
 * among every request's short-lived ones, and a dict whose look-ups miss the cache more as it grows.
 *
 * - A table of (digest, time) slots, open addressing with linear probing, at most half full; digest 0 marks an empty
 *   slot. A digest is the key's Python hash (what the Python build keys by), 0 taken as another constant.
 * - A ring of digests in arrival order, for expiry: the head's window ends first, so nothing is looked at before
 *   then (`expires_at`); an expired head leaves the table by backward-shift deletion (no tombstones).
 * A digest recorded twice (the clock set back, or a nonce used again after its window) is in the ring twice and in
 * the table once, with its latest time, exactly as in the Python build. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

#define FIRST_SIZE 1024 /* slots and ring entries of a new table: a power of two */
#define ZERO_DIGEST 0x5A17E8C3D2B4F601ULL /* the digest of a key whose hash is 0 (0 marks an empty slot) */
#define MIX 0x9E3779B97F4A7C15ULL         /* 2^64 / the golden ratio: spreads any digest over the top bits */

typedef struct {
    uint64_t digest; /* 0: empty */
    double at;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    size_t mask; /* slots - 1 */
    int shift;   /* 64 - log2(slots): a digest's home slot is its top bits after a multiplicative mix */
    size_t used;
    uint64_t *ring;
    size_t ring_mask, head, count;
    double expires_at; /* when the oldest arrival's window ends; +inf when there is none */
} Nonces;

static size_t home(const Nonces *t, uint64_t digest) { return (size_t)((digest * MIX) >> t->shift); }

/* The slot holding `digest`, else the empty slot where it would go (`*found` says which). */
static size_t probe(const Nonces *t, uint64_t digest, int *found) {
    size_t i = home(t, digest);
    while (t->slots[i].digest != 0) {
        if (t->slots[i].digest == digest) {
            *found = 1;
            return i;
        }
        i = (i + 1) & t->mask;
    }
    *found = 0;
    return i;
}

static int grow_table(Nonces *t) {
    size_t old_size = t->mask + 1, size = old_size * 2;
    Slot *slots = PyMem_RawCalloc(size, sizeof(Slot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Slot *old = t->slots;
    t->slots = slots;
    t->mask = size - 1;
    t->shift -= 1;
    for (size_t j = 0; j < old_size; j++) {
        if (old[j].digest != 0) {
            int found;
            t->slots[probe(t, old[j].digest, &found)] = old[j];
        }
    }
    PyMem_RawFree(old);
    return 0;
}

static int grow_ring(Nonces *t) {
    size_t old_size = t->ring_mask + 1, size = old_size * 2;
    uint64_t *ring = PyMem_RawMalloc(size * sizeof(uint64_t));
    if (ring == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t j = 0; j < t->count; j++) ring[j] = t->ring[(t->head + j) & t->ring_mask];
    PyMem_RawFree(t->ring);
    t->ring = ring;
    t->ring_mask = size - 1;
    t->head = 0;
    return 0;
}

/* Empties slot i, moving up any later entry of its probe run that would otherwise no longer be found. */
static void delete_slot(Nonces *t, size_t i) {
    size_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        uint64_t digest = t->slots[j].digest;
        if (digest == 0) break;
        size_t k = home(t, digest);
        /* The entry at j stays unless its home lies cyclically outside (i, j]. */
        int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i].digest = 0;
    t->used--;
}

static void expire(Nonces *t, double now, double window) {
    while (t->count) {
        int found;
        size_t i = probe(t, t->ring[t->head], &found);
        if (found && now - t->slots[i].at < window) {
            t->expires_at = t->slots[i].at + window;
            return;
        }
        t->head = (t->head + 1) & t->ring_mask;
        t->count--;
        if (found) delete_slot(t, i); /* (a digest in the ring twice is found once) */
    }
    t->expires_at = INFINITY;
}

/* A call's (key, now, window), and where the key's slot is (or would be). */
typedef struct {
    uint64_t digest;
    double now, window;
    size_t slot;
    int found; /* the key is in `slot` */
} Call;

/* Reads a call, expires what has expired by its `now`, then finds the key's slot; -1 on a wrong call. */
static int look_up(Nonces *t, PyObject *const *args, Py_ssize_t nargs, Call *call) {
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "expected (key, now, window)");
        return -1;
    }
    Py_hash_t hash = PyObject_Hash(args[0]);
    if (hash == -1) return -1;
    call->now = PyFloat_AsDouble(args[1]);
    if (call->now == -1.0 && PyErr_Occurred()) return -1;
    call->window = PyFloat_AsDouble(args[2]);
    if (call->window == -1.0 && PyErr_Occurred()) return -1;
    call->digest = hash == 0 ? ZERO_DIGEST : (uint64_t)hash;
    if (call->now >= t->expires_at) expire(t, call->now, call->window);
    call->slot = probe(t, call->digest, &call->found);
    return 0;
}

/* Whether the call's key was recorded inside its window. */
static int live(const Nonces *t, const Call *call) {
    return call->found && fabs(call->now - t->slots[call->slot].at) < call->window;
}

static PyObject *nonces_seen(Nonces *t, PyObject *const *args, Py_ssize_t nargs) {
    Call call;
    if (look_up(t, args, nargs, &call) < 0) return NULL;
    return PyBool_FromLong(live(t, &call));
}

static PyObject *nonces_record(Nonces *t, PyObject *const *args, Py_ssize_t nargs) {
    Call call;
    if (look_up(t, args, nargs, &call) < 0) return NULL;
    if (live(t, &call)) Py_RETURN_FALSE;
    if (t->count > t->ring_mask && grow_ring(t) < 0) return NULL;
    if (!call.found && 2 * (t->used + 1) > t->mask + 1) {
        if (grow_table(t) < 0) return NULL;
        call.slot = probe(t, call.digest, &call.found);
    }
    Slot *slot = &t->slots[call.slot];
    if (!call.found) {
        slot->digest = call.digest;
        t->used++;
    }
    slot->at = call.now;
    t->ring[(t->head + t->count) & t->ring_mask] = call.digest;
    if (++t->count == 1) t->expires_at = call.now + call.window;
    Py_RETURN_TRUE;
}

static PyObject *nonces_size(Nonces *t, PyObject *unused) { return PyLong_FromSize_t(t->used); }

static PyObject *nonces_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    if (PyTuple_GET_SIZE(args) || (kwargs && PyDict_GET_SIZE(kwargs))) {
        PyErr_SetString(PyExc_TypeError, "NativeNonces() takes no arguments");
        return NULL;
    }
    Nonces *t = (Nonces *)type->tp_alloc(type, 0);
    if (t == NULL) return NULL;
    t->slots = PyMem_RawCalloc(FIRST_SIZE, sizeof(Slot));
    t->ring = PyMem_RawMalloc(FIRST_SIZE * sizeof(uint64_t));
    if (t->slots == NULL || t->ring == NULL) {
        Py_DECREF(t);
        return PyErr_NoMemory();
    }
    t->mask = t->ring_mask = FIRST_SIZE - 1;
    t->shift = 64;
    for (size_t n = FIRST_SIZE; n > 1; n >>= 1) t->shift--;
    t->expires_at = INFINITY;
    return (PyObject *)t;
}

static void nonces_dealloc(Nonces *t) {
    PyTypeObject *type = Py_TYPE(t);
    PyMem_RawFree(t->slots);
    PyMem_RawFree(t->ring);
    type->tp_free((PyObject *)t);
    Py_DECREF(type);
}

static PyMethodDef NONCES_METHODS[] = {
    {"seen", (PyCFunction)(void (*)(void))nonces_seen, METH_FASTCALL,
     "seen(key, now, window): whether key was recorded inside the window."},
    {"record", (PyCFunction)(void (*)(void))nonces_record, METH_FASTCALL,
     "record(key, now, window): remember key; False if it was recorded inside the window already."},
    {"size", (PyCFunction)nonces_size, METH_NOARGS, "size(): nonces held (expired ones included until dropped)."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot NONCES_SLOTS[] = {
    {Py_tp_new, nonces_new},
    {Py_tp_dealloc, nonces_dealloc},
    {Py_tp_methods, NONCES_METHODS},
    {Py_tp_doc, "One process's signature nonces inside the window (emulator.core.nonces)."},
    {0, NULL},
};

static PyType_Spec NONCES_SPEC = {"emulator.core._nonces.NativeNonces", sizeof(Nonces), 0, Py_TPFLAGS_DEFAULT,
                                  NONCES_SLOTS};

static int exec_module(PyObject *module) {
    PyObject *type = PyType_FromModuleAndSpec(module, &NONCES_SPEC, NULL);
    if (type == NULL) return -1;
    int added = PyModule_AddObjectRef(module, "NativeNonces", type);
    Py_DECREF(type);
    return added;
}

static PyModuleDef_Slot MODULE_SLOTS[] = {{Py_mod_exec, exec_module}, {0, NULL}};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_nonces", NULL, 0, NULL, MODULE_SLOTS, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__nonces(void) { return PyModuleDef_Init(&MODULE); }
