# C declarations shared by the compiled twins (_crc.pyx, _tlv.pyx): the kernels in _crc16.h and
# the PEP 393 string accessors they walk.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)


cdef extern from "_crc16.h" nogil:
    enum:
        JPQR_OK
        JPQR_LOWERCASE
        JPQR_MISMATCH
        JPQR_MISSING
        JPQR_INVALID
        JPQR_CLMUL_MIN
        JPQR_AVX512_MIN
    void jpqr_crc_init_tables()
    uint16_t jpqr_crc16(uint16_t crc, const uint8_t* p, size_t n)
    uint16_t jpqr_crc16_table(uint16_t crc, const uint8_t* p, size_t n)
    uint16_t jpqr_crc16_ucs(uint16_t crc, int kind, const void* data, Py_ssize_t start,
                            Py_ssize_t end, int ascii)
    uint32_t jpqr_read(int kind, const void* data, Py_ssize_t i)
    int jpqr_verdict_ucs(int kind, const void* data, Py_ssize_t n, int ascii, int32_t* crc_out)
    int jpqr_verdict_bytes(const uint8_t* p, Py_ssize_t n, int32_t* crc_out)
    int32_t jpqr_crc16_on_path(int path, uint16_t crc, const uint8_t* p, size_t n)
    int64_t jpqr_xinuse()
    void jpqr_clear_upper()
    const char* jpqr_crc_path()
    int jpqr_crc_set_path(int clmul)
