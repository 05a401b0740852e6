"""Freeing BerObject instances and those of subclasses a user defines: the compiled BER twin
gives BerObject the deallocator DataObject has (src/jpqr/_dataobject.h), so every case of
tests/test_dealloc.py runs again here with BerObject (in a child process, on both twins)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from types import ModuleType

import pytest

from .test_dealloc import CASES, PRELUDE

# A BER decode whose tags are 01, 63 and (in 63) 50, for the cases that decode.
DECODE = '_kernels.ber_decode(bytes.fromhex("010141" "6303500141"))'


def ber_case(text: str) -> str:
    replaced = text.replace('jpqr.decode("0002010102116304AD0A")', DECODE)
    replaced = replaced.replace('["00", "00", "01", "59", "63"]', '["00", "01", "50", "59", "63"]')
    replaced = replaced.replace("self.id", "self.tag").replace("DataObject", "BerObject")
    assert "DataObject" not in replaced and "jpqr.decode" not in replaced
    return replaced


BER_PRELUDE = PRELUDE.replace(
    "from jpqr import DataObject, _kernels",
    # the BER kernels load on first use: load them before any count is taken
    "from jpqr import _kernels\nfrom jpqr._ber_object import BerObject\n_kernels.ber_decode",
)
assert BER_PRELUDE != PRELUDE


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_ber_dealloc(impl: ModuleType, case: str) -> None:
    script = BER_PRELUDE.format(implementation=impl.IMPLEMENTATION) + textwrap.dedent(
        ber_case(CASES[case])
    )
    env = dict(os.environ)
    env.pop("JPQR_NO_EXTENSIONS", None)
    if impl.IMPLEMENTATION == "python":
        env["JPQR_NO_EXTENSIONS"] = "1"
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-c", script + "\nprint('clean')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("clean")
