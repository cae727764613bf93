/* The C build of emulator.core.signing.canonical_hmac (see there): a signed request's check in one call, so that
 * verifying a signature costs about as little as not verifying it. SHA-256 comes from OpenSSL's libcrypto, the
 * library Python's hashlib uses; its low-level SHA256_* calls are used because their state is a plain struct that a
 * prepared key copies by assignment, where an EVP context costs an allocation and a provider look-up per call. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init and friends: deprecated in OpenSSL 3, present in every 1.x and 3.x */
#include <openssl/sha.h>

#define BLOCK 64
#define HEX_LEN (2 * SHA256_DIGEST_LENGTH)

typedef struct {
    SHA256_CTX inner; /* after the key's inner pad block and the prefix */
    SHA256_CTX outer; /* after the key's outer pad block */
} Prepared;

/* A prepared key travels as a capsule: Python code cannot hand over bytes posing as a hash state. */
static const char CAPSULE[] = "emulator.core.signing._canonical_hmac.Prepared";

static void free_prepared(PyObject *capsule) { PyMem_Free(PyCapsule_GetPointer(capsule, CAPSULE)); }

static void to_hex(const unsigned char *digest, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 15];
    }
}

/* What Python's str.strip() removes from an ASCII string. */
static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

static PyObject *prepare(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyBytes_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "prepare(key: bytes, prefix: bytes)");
        return NULL;
    }
    unsigned char block[BLOCK] = {0}, pad[BLOCK];
    const unsigned char *key = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    Py_ssize_t key_len = PyBytes_GET_SIZE(args[0]);
    if (key_len > BLOCK) /* a key longer than a block is replaced by its digest (RFC 2104) */
        SHA256(key, (size_t)key_len, block);
    else
        memcpy(block, key, (size_t)key_len);
    Prepared prepared;
    for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&prepared.inner);
    SHA256_Update(&prepared.inner, pad, BLOCK);
    SHA256_Update(&prepared.inner, PyBytes_AS_STRING(args[1]), (size_t)PyBytes_GET_SIZE(args[1]));
    for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&prepared.outer);
    SHA256_Update(&prepared.outer, pad, BLOCK);
    Prepared *kept = PyMem_Malloc(sizeof prepared);
    if (kept == NULL) return PyErr_NoMemory();
    *kept = prepared;
    PyObject *capsule = PyCapsule_New(kept, CAPSULE, free_prepared);
    if (capsule == NULL) PyMem_Free(kept);
    return capsule;
}

/* Hashes an ASCII str into `ctx`, stripped if asked; 0 when it is not ASCII. */
static int update_ascii(SHA256_CTX *ctx, PyObject *text, int strip) {
    if (!PyUnicode_IS_ASCII(text)) return 0;
    const unsigned char *data = PyUnicode_DATA(text);
    Py_ssize_t start = 0, end = PyUnicode_GET_LENGTH(text);
    if (strip) {
        while (start < end && is_space(data[start])) start++;
        while (end > start && is_space(data[end - 1])) end--;
    }
    SHA256_Update(ctx, data + start, (size_t)(end - start));
    return 1;
}

static PyObject *matches(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 6 || !PyCapsule_IsValid(args[0], CAPSULE) || !PyTuple_Check(args[1]) || !PyTuple_Check(args[2])
        || !PyBytes_Check(args[3]) || !PyBytes_Check(args[4]) || !PyUnicode_Check(args[5])) {
        PyErr_SetString(PyExc_TypeError,
                        "matches(prepared, pieces: tuple[str, ...], values: tuple[str, ...], tail: bytes, "
                        "infix: bytes, signature: str)");
        return NULL;
    }
    PyObject *pieces = args[1], *values = args[2], *signature = args[5];
    Py_ssize_t count = PyTuple_GET_SIZE(values);
    if (PyTuple_GET_SIZE(pieces) != count + 1) {
        PyErr_SetString(PyExc_ValueError, "one more piece than values");
        return NULL;
    }
    for (Py_ssize_t i = 0; i <= count; i++) {
        int bad_value = i < count && !PyUnicode_Check(PyTuple_GET_ITEM(values, i));
        if (bad_value || !PyUnicode_Check(PyTuple_GET_ITEM(pieces, i))) {
            PyErr_SetString(PyExc_TypeError, "pieces and values are str");
            return NULL;
        }
    }
    SHA256_CTX ctx;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char hex[HEX_LEN];
    SHA256_Init(&ctx);
    for (Py_ssize_t i = 0; i <= count; i++) {
        if (!update_ascii(&ctx, PyTuple_GET_ITEM(pieces, i), 0)) Py_RETURN_FALSE;
        if (i < count && !update_ascii(&ctx, PyTuple_GET_ITEM(values, i), 1)) Py_RETURN_FALSE;
    }
    SHA256_Update(&ctx, PyBytes_AS_STRING(args[3]), (size_t)PyBytes_GET_SIZE(args[3]));
    SHA256_Final(digest, &ctx);
    to_hex(digest, hex);

    const Prepared *prepared = PyCapsule_GetPointer(args[0], CAPSULE);
    ctx = prepared->inner;
    SHA256_Update(&ctx, PyBytes_AS_STRING(args[4]), (size_t)PyBytes_GET_SIZE(args[4]));
    SHA256_Update(&ctx, hex, HEX_LEN);
    SHA256_Final(digest, &ctx);
    ctx = prepared->outer;
    SHA256_Update(&ctx, digest, SHA256_DIGEST_LENGTH);
    SHA256_Final(digest, &ctx);
    to_hex(digest, hex);

    if (!PyUnicode_IS_ASCII(signature) || PyUnicode_GET_LENGTH(signature) != HEX_LEN) Py_RETURN_FALSE;
    const unsigned char *given = PyUnicode_DATA(signature);
    unsigned char difference = 0; /* every byte compared, whatever differs first: no timing hint */
    for (int i = 0; i < HEX_LEN; i++) difference |= (unsigned char)hex[i] ^ given[i];
    if (difference == 0) Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"prepare", (PyCFunction)(void (*)(void))prepare, METH_FASTCALL, NULL},
    {"matches", (PyCFunction)(void (*)(void))matches, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_canonical_hmac", NULL, 0, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__canonical_hmac(void) { return PyModuleDef_Init(&module_def); }
