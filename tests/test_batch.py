"""jpqr.batch and the check-only kernels behind it, on both twins.

Expected values come from the published vectors (their recorded CRC facts), from binascii's CRC
and from the single-payload API (decode/crc_verdict), which test_tlv and test_crc hold to the spec.
"""

from __future__ import annotations

import binascii
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from jpqr import DecodeError, batch
from jpqr.dataobject import MAX_INPUT_LENGTH

from .conftest import PUBLISHED
from .test_tlv import EMVCO_EXAMPLE

CODES = {name: code for code, name in enumerate(batch.VERDICTS)}
ASCII = "0002010102116304AD0A"  # CRC computed independently in test_crc.py


def expected(impl: ModuleType, payload: str | bytes) -> tuple[int, int]:
    """What the batch must say, from the single-payload API and binascii."""
    try:
        text = payload if isinstance(payload, str) else payload.decode("utf-8")
    except UnicodeDecodeError:
        return CODES["invalid"], -1
    if len(text) > MAX_INPUT_LENGTH or text.startswith("\ufeff"):
        return CODES["invalid"], -1
    crc = -1
    if len(text) >= 8 and text[-8:-4] == "6304":
        crc = binascii.crc_hqx(text[:-4].encode("utf-8", "surrogatepass"), 0xFFFF)
    try:
        impl.decode(payload)
    except DecodeError:
        return CODES["invalid"], crc
    return CODES[impl.crc_verdict(text)], crc


SAMPLES: list[str | bytes] = [
    ASCII,
    ASCII.lower(),
    ASCII[:-1] + "B",
    "000201",
    "",
    EMVCO_EXAMPLE,
    EMVCO_EXAMPLE.encode(),
    EMVCO_EXAMPLE + "\n",
    "\ufeff" + ASCII,
    b"\xef\xbb\xbf" + ASCII.encode(),
    b"0002015904AB\xffC",
    "00020",
    "5903😀𠮷é6304ABCD",
    "x" * (MAX_INPUT_LENGTH + 1),
    ("5999" + "x" * 99) * 39 + "6304ABCD",  # 4025 characters
    "6304\ud800BCD",
]


class TestCheck:
    def test_published_vectors(self, impl: ModuleType) -> None:
        for vector in PUBLISHED:
            payload = vector["payload"]
            try:
                impl.decode(payload)
            except DecodeError:
                assert impl.check_code(payload)[0] == CODES["invalid"]
                with pytest.raises(DecodeError):
                    impl.check(payload)
            else:
                assert impl.check(payload) == vector["crc"], vector["source"]
                assert impl.check(payload.encode()) == vector["crc"]

    def test_raises_what_decode_raises(self, impl: ModuleType) -> None:
        for payload in [*SAMPLES, EMVCO_EXAMPLE[:-6], "000201AB02xx", b"\xff"]:
            try:
                impl.decode(payload)
            except DecodeError as error:
                with pytest.raises(DecodeError) as info:
                    impl.check(payload)
                assert info.value == error
            else:
                assert impl.check(payload) == impl.crc_verdict(
                    payload if isinstance(payload, str) else payload.decode()
                )

    def test_templates_that_are_not_tlv_are_not_errors(self, impl: ModuleType) -> None:
        assert impl.check("6205hello5802JP") == "missing"

    def test_not_text(self, impl: ModuleType) -> None:
        with pytest.raises(TypeError):
            impl.check(None)
        with pytest.raises(TypeError):
            impl.check_code(12)

    def test_check_code(self, impl: ModuleType) -> None:
        for payload in SAMPLES:
            assert impl.check_code(payload) == expected(impl, payload), payload[:40]


class TestBatch:
    def test_list_of_str_and_bytes(self, impl: ModuleType) -> None:
        result = batch.check(SAMPLES)
        assert result.verdicts.dtype == np.uint8 and result.crcs.dtype == np.int32
        assert list(zip(result.verdicts.tolist(), result.crcs.tolist(), strict=True)) == [
            expected(impl, payload) for payload in SAMPLES
        ]
        assert result.names()[:4] == ["ok", "lowercase", "mismatch", "missing"]
        assert result.ok.tolist()[:2] == [True, False]

    def test_tuple_generator_and_str_array(self, impl: ModuleType) -> None:
        texts = [p for p in SAMPLES if isinstance(p, str)]
        want = batch.check(texts)
        for same in (tuple(texts), (t for t in texts), np.array(texts), np.array(texts, object)):
            got = batch.check(same)
            assert np.array_equal(got.verdicts, want.verdicts)
            assert np.array_equal(got.crcs, want.crcs)

    def test_bytes_array_equals_list(self, impl: ModuleType) -> None:
        data = [p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass") for p in SAMPLES]
        data = [p for p in data if not p.endswith(b"\0")]  # NUL padding is dropped by numpy
        want = batch.check(data)
        array = np.array(data)
        assert array.dtype.kind == "S"
        for threads in (1, 2, 3):
            got = batch.check(array, threads=threads)
            assert np.array_equal(got.verdicts, want.verdicts)
            assert np.array_equal(got.crcs, want.crcs)

    def test_threads_share_a_large_array_in_chunks(self, impl: ModuleType) -> None:
        # Enough rows for several chunks per thread and a short last chunk.
        data = [p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass") for p in SAMPLES]
        data = [p for p in data if not p.endswith(b"\0")]
        many = data * (3 * batch._CHUNK // len(data) + 1) + data[:3]
        want = batch.check(many)
        for threads in (2, 3):
            got = batch.check(np.array(many), threads=threads)
            assert np.array_equal(got.verdicts, want.verdicts)
            assert np.array_equal(got.crcs, want.crcs)

    def test_no_more_threads_than_chunks(
        self, impl: ModuleType, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A thread without a chunk of its own does nothing but cost its start: threads=5000
        # over three chunks took 3 s instead of 5 ms.
        import threading

        started: list[threading.Thread] = []

        class Counted(threading.Thread):
            def start(self) -> None:
                started.append(self)
                super().start()

        monkeypatch.setattr(threading, "Thread", Counted)
        rows = np.array([ASCII.encode()] * (2 * batch._CHUNK + 1))  # three chunks
        assert batch.check(rows, threads=10_000).ok.all()
        assert len(started) == 2  # and the caller's own thread

    def test_a_pretend_array_is_a_sequence(self, impl: ModuleType) -> None:
        # isinstance() believes __class__: this one was taken for an "S" array, and whatever
        # np.ascontiguousarray() made of it (here int64) was checked as 8-byte records.
        class Pretends:
            __class__ = np.ndarray  # type: ignore[assignment]
            ndim = 1
            dtype = np.dtype("S20")

            def __iter__(self) -> Any:
                return iter([ASCII.encode()])

            def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
                return np.array([1, 2], dtype=np.int64)

        assert isinstance(Pretends(), np.ndarray)
        assert batch.check(Pretends()).names() == ["ok"]

    def test_numpy_padding_is_not_part_of_the_payload(self, impl: ModuleType) -> None:
        array = np.array([ASCII.encode(), b"000201"], dtype="S40")
        assert batch.check(array).names() == ["ok", "missing"]
        strided = np.array([ASCII.encode(), b"x", ASCII.encode()])[::2]
        assert batch.check(strided).names() == ["ok", "ok"]

    def test_empty(self, impl: ModuleType) -> None:
        assert batch.check(np.array([], dtype="S5")).verdicts.shape == (0,)
        assert batch.check(iter(())).crcs.shape == (0,)

    def test_bad_items_and_shapes(self, impl: ModuleType) -> None:
        with pytest.raises(TypeError):
            batch.check([ASCII, None])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="one-dimensional"):
            batch.check(np.array([[b"a"]]))
        with pytest.raises(ValueError, match="threads"):
            batch.check([ASCII], threads=0)

    def test_kernels_refuse_short_outputs(self, impl: ModuleType) -> None:
        verdicts, crcs = np.zeros(1, np.uint8), np.zeros(1, np.int32)
        with pytest.raises(IndexError):
            impl.check_many([ASCII, ASCII], verdicts, crcs)
        with pytest.raises(IndexError):
            impl.check_rows(b"ab" * 2, 2, verdicts, crcs)
        with pytest.raises(ValueError, match="width"):
            impl.check_rows(b"ab", 0, verdicts, crcs)
