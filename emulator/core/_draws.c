/* The C build of emulator.core.draws (see there): random.Random's choice, randrange, randint and sample, for the
 * arguments generated data passes (exact ints, lists, tuples, strings), drawing exactly what CPython's Python
 * methods draw: through getrandbits, with the rejection sampling of Random._randbelow_with_getrandbits, in the same
 * order. getrandbits is called as the C method it is (the class that takes these methods keeps it), not looked up
 * per draw. Any other call (other types, keywords, empty or invalid ranges, which raise) goes to random.Random's own
 * method. Both are handed over at import (`setup`). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static PyObject *GETRANDBITS;                                       /* _random.Random.getrandbits */
static PyObject *PY_CHOICE, *PY_RANDRANGE, *PY_RANDINT, *PY_SAMPLE; /* random.Random's methods */
/* Above this many elements, sample() goes to Python rather than keep a bitmap of them. */
#define MAX_BITMAP ((Py_ssize_t)1 << 24)

static PyObject *python(PyObject *method, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    if (method == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "emulator.core._draws: setup() was not called");
        return NULL;
    }
    return PyObject_Vectorcall(method, args, PyVectorcall_NARGS(nargsf), kwnames);
}

static int bit_length(size_t n) {
    int k = 0;
    while (n) {
        k++;
        n >>= 1;
    }
    return k;
}

/* Random._randbelow_with_getrandbits(n), n > 0: getrandbits(n.bit_length()) until below n. */
static int randbelow(PyObject *self, Py_ssize_t n, Py_ssize_t *out) {
    if (GETRANDBITS == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "emulator.core._draws: setup() was not called");
        return -1;
    }
    PyObject *bits = PyLong_FromLong(bit_length((size_t)n));
    if (bits == NULL) return -1;
    for (;;) {
        PyObject *stack[2] = {self, bits};
        PyObject *drawn = PyObject_Vectorcall(GETRANDBITS, stack, 2, NULL);
        if (drawn == NULL) break;
        Py_ssize_t value = PyLong_AsSsize_t(drawn);
        Py_DECREF(drawn);
        if (value == -1 && PyErr_Occurred()) break;
        if (value < n) {
            Py_DECREF(bits);
            *out = value;
            return 0;
        }
    }
    Py_DECREF(bits);
    return -1;
}

/* An exact int as a Py_ssize_t; 0 if it is not one or does not fit (no error set). */
static int exact_ssize(PyObject *value, Py_ssize_t *out) {
    if (!PyLong_CheckExact(value)) return 0;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred()) || v < PY_SSIZE_T_MIN / 2 || v > PY_SSIZE_T_MAX / 2) {
        PyErr_Clear();
        return 0;
    }
    *out = (Py_ssize_t)v;
    return 1;
}

static PyObject *choice(PyObject *module, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    (void)module;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), n, i;
    if (nargs != 2 || kwnames != NULL) return python(PY_CHOICE, args, nargsf, kwnames);
    PyObject *self = args[0], *seq = args[1];
    if (PyList_CheckExact(seq) || PyTuple_CheckExact(seq))
        n = PySequence_Fast_GET_SIZE(seq);
    else if (PyUnicode_CheckExact(seq))
        n = PyUnicode_GET_LENGTH(seq);
    else
        return python(PY_CHOICE, args, nargsf, kwnames);
    if (n == 0) return python(PY_CHOICE, args, nargsf, kwnames); /* its IndexError */
    if (randbelow(self, n, &i) < 0) return NULL;
    return PySequence_GetItem(seq, i); /* bounds checked: a list may have shrunk meanwhile */
}

static PyObject *below_from(PyObject *self, Py_ssize_t start, Py_ssize_t width) {
    Py_ssize_t drawn;
    if (randbelow(self, width, &drawn) < 0) return NULL;
    return PyLong_FromSsize_t(start + drawn);
}

static PyObject *randrange(PyObject *module, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    (void)module;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), start, stop;
    if (kwnames == NULL && nargs == 2 && exact_ssize(args[1], &stop) && stop > 0) return below_from(args[0], 0, stop);
    if (kwnames == NULL && nargs == 3 && exact_ssize(args[1], &start) && exact_ssize(args[2], &stop) && stop > start)
        return below_from(args[0], start, stop - start);
    return python(PY_RANDRANGE, args, nargsf, kwnames);
}

static PyObject *randint(PyObject *module, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    (void)module;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), a, b;
    if (kwnames == NULL && nargs == 3 && exact_ssize(args[1], &a) && exact_ssize(args[2], &b) && b >= a)
        return below_from(args[0], a, b - a + 1);
    return python(PY_RANDINT, args, nargsf, kwnames);
}

/* The size of a small set, as Random.sample reckons it, or -1 past what is worth reckoning here. */
static Py_ssize_t set_size(Py_ssize_t k) {
    Py_ssize_t size = 21;
    if (k > 5) {
        /* 4 ** ceil(log(k * 3, 4)), as math.log computes it: log(x) / log(base), both as doubles */
        volatile double base = 4.0;
        double power = ceil(log((double)(k * 3)) / log(base));
        if (power > 30) return -1;
        Py_ssize_t table = 1;
        for (int p = 0; p < (int)power; p++) table *= 4;
        size += table;
    }
    return size;
}

static PyObject *sample(PyObject *module, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    (void)module;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), k, n, setsize;
    if (kwnames != NULL || nargs != 3) return python(PY_SAMPLE, args, nargsf, kwnames);
    PyObject *self = args[0], *population = args[1];
    if (!(PyList_CheckExact(population) || PyTuple_CheckExact(population)) || !exact_ssize(args[2], &k))
        return python(PY_SAMPLE, args, nargsf, kwnames);
    n = PySequence_Fast_GET_SIZE(population);
    if (k < 0 || k > n || (setsize = set_size(k)) < 0 || (n > setsize && n > MAX_BITMAP))
        return python(PY_SAMPLE, args, nargsf, kwnames);
    PyObject *pool = PySequence_List(population); /* a copy: the draws below may not see it change */
    if (pool == NULL) return NULL;
    PyObject *result = PyList_New(k);
    unsigned char *taken = NULL;
    if (result == NULL) goto fail;
    PyObject **items = ((PyListObject *)pool)->ob_item;
    if (n <= setsize) { /* an n-length list is smaller than a k-length set: draw from a shrinking pool */
        for (Py_ssize_t i = 0; i < k; i++) {
            Py_ssize_t j;
            if (randbelow(self, n - i, &j) < 0) goto fail;
            Py_INCREF(items[j]);
            PyList_SET_ITEM(result, i, items[j]);
            PyObject *last = items[n - i - 1]; /* the pool keeps its references: swapped, not moved */
            items[n - i - 1] = items[j];
            items[j] = last;
        }
    } else { /* redraw an index already taken */
        taken = PyMem_Calloc((size_t)n, 1);
        if (taken == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; i < k; i++) {
            Py_ssize_t j;
            do {
                if (randbelow(self, n, &j) < 0) goto fail;
            } while (taken[j]);
            taken[j] = 1;
            Py_INCREF(items[j]);
            PyList_SET_ITEM(result, i, items[j]);
        }
    }
    PyMem_Free(taken);
    Py_DECREF(pool);
    return result;
fail:
    PyMem_Free(taken);
    Py_XDECREF(result);
    Py_DECREF(pool);
    return NULL;
}

static PyObject *setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "setup(getrandbits, choice, randrange, randint, sample)");
        return NULL;
    }
    PyObject **slots[5] = {&GETRANDBITS, &PY_CHOICE, &PY_RANDRANGE, &PY_RANDINT, &PY_SAMPLE};
    for (int i = 0; i < 5; i++) {
        Py_INCREF(args[i]);
        Py_XSETREF(*slots[i], args[i]);
    }
    Py_RETURN_NONE;
}

/* Each a plain function taking the instance first; `methods` wraps them so a class binds them as it binds its own. */
static PyMethodDef FUNCTIONS[] = {
    {"choice", (PyCFunction)(void (*)(void))choice, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"randrange", (PyCFunction)(void (*)(void))randrange, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"randint", (PyCFunction)(void (*)(void))randint, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"sample", (PyCFunction)(void (*)(void))sample, METH_FASTCALL | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef MODULE_METHODS[] = {
    {"setup", (PyCFunction)(void (*)(void))setup, METH_FASTCALL,
     "setup(getrandbits, choice, randrange, randint, sample): what draws, and random.Random's own methods."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_draws", NULL, -1, MODULE_METHODS,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__draws(void) {
    PyObject *module = PyModule_Create(&MODULE);
    if (module == NULL) return NULL;
    PyObject *methods = PyDict_New();
    if (methods == NULL || PyModule_AddObject(module, "methods", methods) < 0) {
        Py_XDECREF(methods);
        Py_DECREF(module);
        return NULL;
    }
    for (PyMethodDef *def = FUNCTIONS; def->ml_name != NULL; def++) {
        PyObject *function = PyCFunction_New(def, NULL);
        PyObject *method = function == NULL ? NULL : PyInstanceMethod_New(function);
        Py_XDECREF(function);
        if (method == NULL || PyDict_SetItemString(methods, def->ml_name, method) < 0) {
            Py_XDECREF(method);
            Py_DECREF(module);
            return NULL;
        }
        Py_DECREF(method);
    }
    return module;
}
