/* A cheaper deallocator for jpqr.dataobject.DataObject (hand-written, tracked in git).
 *
 * DataObject is a NamedTuple: a heap tuple subclass that adds no fields (no __dict__, no
 * __weakref__, no __slots__ members; _tlv.pyx checks that before installing this). CPython frees
 * such an instance with subtype_dealloc, which looks for finalizers, slots, a __dict__ and weak
 * references, then calls tuple's own deallocator, which untracks the object and enters the
 * trashcan a second time. Profiling a decode showed that path as the largest single cost
 * (~25% of it). For a type that has none of those things the work left is exactly what
 * tuple's deallocator does, plus dropping the reference to the heap type: this function.
 *
 * A subclass a user defines still gets subtype_dealloc, which clears what the subclass adds and
 * then calls this as its base's deallocator (expecting it to drop the type reference, as it
 * does for any heap base). Should someone give DataObject a finalizer later (__del__), the
 * original deallocator is used again.
 */
#ifndef JPQR_DATAOBJECT_H
#define JPQR_DATAOBJECT_H

#include <Python.h>

static destructor jpqr_dataobject_original_dealloc = NULL;

static void jpqr_dataobject_dealloc(PyObject *op)
{
    PyTypeObject *type = Py_TYPE(op);
    if (type->tp_finalize != NULL || type->tp_del != NULL) {
        jpqr_dataobject_original_dealloc(op);
        return;
    }
    PyObject_GC_UnTrack(op);
    /* Deeply nested objects made in code (children=DataObject(...)) must not overflow the C
     * stack: the trashcan defers them, as tuple and subtype deallocation do. */
    Py_TRASHCAN_BEGIN(op, jpqr_dataobject_dealloc)
    for (Py_ssize_t i = Py_SIZE(op); --i >= 0;)
        Py_XDECREF(PyTuple_GET_ITEM(op, i));
    type->tp_free(op);
    Py_DECREF(type); /* instances of a heap type own a reference to it */
    Py_TRASHCAN_END
}

/* Install the deallocator on `type` (DataObject); 0, or -1 with a Python error set. */
static int jpqr_dataobject_install(PyTypeObject *type)
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || type->tp_base != &PyTuple_Type ||
        type->tp_basicsize != PyTuple_Type.tp_basicsize ||
        type->tp_itemsize != PyTuple_Type.tp_itemsize || type->tp_dictoffset != 0 ||
        type->tp_weaklistoffset != 0 || Py_SIZE(type) != 0) {
        PyErr_SetString(PyExc_ImportError,
                        "jpqr: DataObject must be a tuple subclass with no fields of its own");
        return -1;
    }
    if (type->tp_dealloc != jpqr_dataobject_dealloc) {
        jpqr_dataobject_original_dealloc = type->tp_dealloc;
        type->tp_dealloc = jpqr_dataobject_dealloc;
    }
    return 0;
}

#endif /* JPQR_DATAOBJECT_H */
