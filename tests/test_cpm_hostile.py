"""jpqr.cpm on hostile objects and on both twins at once: a str or bytes subclass whose methods
lie is read as the characters or bytes it holds (never its __len__, __str__, __getitem__,
encode, ...), an object that only pretends is a TypeError, and the whole report is identical on
the pure and the compiled twin for random and broken codes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpqr import JPQRError, _kernels, cpm

from .conftest import IMPLEMENTATIONS, twin
from .hostile import HOSTILE
from .test_ber import trees
from .test_cpm import ANNEX, VALID


def outcome(function: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    try:
        result = function(*args)
    except JPQRError as error:
        return ("raised", type(error), error.code, error.message, error.offset, error.path)
    except (TypeError, ValueError) as error:
        return ("raised", type(error))
    return ("returned", repr(result))


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@pytest.mark.parametrize("content", [VALID, ANNEX, "hQVDUFYwMQ=", "hQ\u00e9=", ""])
@pytest.mark.parametrize(("label", "make", "plain"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_objects(name: str, content: str, label: str, make: Any, plain: Any) -> None:
    with twin(name):  # type: ignore[arg-type]
        for call in (cpm.validate, cpm.parse, cpm.decode, cpm.is_cpm):
            got = outcome(call, make(content))
            if plain is None:
                assert got == (
                    ("returned", "False") if call is cpm.is_cpm else ("raised", TypeError)
                )
            else:
                assert got == outcome(call, plain(content)), (call, label)


def both(function: Callable[..., Any], payload: Any) -> tuple[Any, ...]:
    with twin("python"):
        pure = outcome(function, payload)
    with twin("cython"):
        compiled = outcome(function, payload)
    assert compiled == pure, payload
    return pure


TEXT = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n", max_size=40
)


# Not importorskip: a compiled twin that is not built must fail these, unless pure mode is asked.
PURE_MODE = pytest.mark.skipif(_kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS")


@PURE_MODE
@given(st.one_of(TEXT, st.binary(max_size=48).map(lambda b: base64.b64encode(b).decode())))
def test_twins_report_alike_on_random_codes(payload: str) -> None:
    both(cpm.validate, "hQ" + payload)
    both(cpm.parse, "hQ" + payload)


@PURE_MODE
@given(trees, st.integers(0, 255), st.integers(0, 10_000))
def test_twins_report_alike_on_broken_codes(items: Any, byte: int, where: int) -> None:
    data = bytearray(b"\x85\x05CPV01" + b"".join(raw for _, raw in items))
    data[where % len(data)] = byte
    text = base64.b64encode(bytes(data)).decode()
    both(cpm.validate, text)
    both(cpm.parse, text)
