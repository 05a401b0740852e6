/* A cheaper deallocator for jpqr.dataobject.DataObject (hand-written, tracked in git).
 *
 * DataObject is a NamedTuple: a heap tuple subclass that adds no fields (no __dict__, no
 * __weakref__, no __slots__ members; _tlv.pyx checks that before installing this). CPython frees
 * such an instance with subtype_dealloc, which looks for finalizers, slots, a __dict__ and weak
 * references, then calls tuple's own deallocator, which untracks the object and enters the
 * trashcan a second time. Profiling a decode showed that path as the largest single cost
 * (~25% of it; measured again for issue 9 on an Intel Xeon: without this deallocator, decode of
 * the 20-object ASCII code takes 1253 ns instead of 1030 ns, +22%, and of the EMVCo example
 * +20%). For a type that has none of those things the work left is exactly what
 * tuple's deallocator does, plus dropping the reference to the heap type: this function.
 *
 * Only exact DataObject instances take that short path. A subclass a user defines (with
 * __del__, __slots__ = (), a __dict__, weak references) keeps subtype_dealloc as its own
 * deallocator, which finalizes the instance, clears what the subclass adds and then calls this
 * function as the deallocator of its heap base, DataObject. Before this function was
 * installed, subtype_dealloc skipped DataObject (whose deallocator was subtype_dealloc too),
 * called tuple's deallocator and then dropped the reference to the type itself; it does not
 * drop it when the base is a heap type. So for a subclass this function does exactly those two
 * things and nothing else: tuple's deallocator, then Py_DECREF of the type. (Calling
 * subtype_dealloc from here, as an earlier version did, started the subclass's deallocation
 * over and never returned: issue 9.) Should DataObject itself be given a finalizer later
 * (DataObject.__del__ = ...), CPython's deallocator is put back for good. tests/test_dealloc.py
 * covers each case on CPython 3.10 to 3.13.
 */
#ifndef JPQR_DATAOBJECT_H
#define JPQR_DATAOBJECT_H

#include <Python.h>

static destructor jpqr_dataobject_original_dealloc = NULL;
static PyTypeObject *jpqr_dataobject_type = NULL;

static void jpqr_dataobject_dealloc(PyObject *op)
{
    PyTypeObject *type = Py_TYPE(op);
    if (type != jpqr_dataobject_type) {
        /* Called by a subclass's subtype_dealloc, which has done the subclass's part and
         * re-tracked the object: what it did for a tuple base before this was installed. */
        PyTuple_Type.tp_dealloc(op);
        Py_DECREF(type);
        return;
    }
    if (type->tp_finalize != NULL || type->tp_del != NULL) {
        /* DataObject got a finalizer: CPython's deallocator (subtype_dealloc) from now on. It
         * walks the bases to the first deallocator that is not its own, so it must not find
         * this one on DataObject, or it would call it back. */
        type->tp_dealloc = jpqr_dataobject_original_dealloc;
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
        jpqr_dataobject_type = type;
        jpqr_dataobject_original_dealloc = type->tp_dealloc;
        type->tp_dealloc = jpqr_dataobject_dealloc;
    }
    return 0;
}

#endif /* JPQR_DATAOBJECT_H */
