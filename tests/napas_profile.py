"""A test-only national profile, ``napas-test``, registered for the tests that need a profile
departing from EMVCo before the national ones are merged (and to show that a new profile appears
in the builder and the command line without code changes).

It departs from EMVCo as VietQR does, and stands in for the ``vietqr`` profile while it is
registered (it claims the same GUID): NAPAS's specification, read in full (tests/data/schemes/
README.md, vietqr: Bảng 1 pp. 8-9, Bảng 4 pp. 14-15), makes 01 and 38 mandatory and 52, 59, 60
optional, and names the service codes of 38-02. Its currency row (53 = 704 only) is the test's
own: it is there to show that the builder starts with a currency only where a row says one.

``python -m tests.napas_profile ARGS`` runs the ``jpqr`` command line with it registered.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from jpqr.profiles import PROFILES, SCHEMES, _classify, _compiled, _engine, emvco
from jpqr.profiles._scheme import Scheme
from jpqr.profiles._table import Allowed, Profile, Required, Templates

__all__ = ["NAPAS_DYNAMIC", "NAPAS_SPEC", "SCHEME", "TABLE", "make_module", "registered"]

NAPAS = "tests/data/schemes/README.md, vietqr: NAPAS VietQR v1.0"

# 01 and 38 are M, 52, 59 and 60 O (Bảng 1 pp. 8-9); 38-00 is A000000727, 38-02 QRIBFTTA or
# QRIBFTTC (Bảng 4 pp. 14-15).
TABLE = emvco.TABLE.without("required 52", "required 59", "required 60").extend(
    "napas-test",
    "NAPAS (test)",
    (
        Required(path="01", source=f"{NAPAS}, Bảng 1"),
        Required(path="38", code="napas-test.account", source=f"{NAPAS}, Bảng 1"),
        Allowed(
            path="53",
            values=frozenset({"704"}),
            code="napas-test.currency",
            message="expected currency '704' in this test profile, found {found!r}",
            source="this test",
        ),
        Templates(
            rows=(
                (
                    frozenset({"38"}),
                    (
                        Allowed(
                            path="02",
                            values=frozenset({"QRIBFTTA", "QRIBFTTC"}),
                            code="napas-test.service",
                            message="expected service code QRIBFTTA or QRIBFTTC, found {found!r}",
                            source=f"{NAPAS}, Bảng 4",
                        ),
                    ),
                ),
            ),
            source=f"{NAPAS}, Bảng 4",
        ),
    ),
    source=NAPAS,
)
SCHEME = Scheme(
    "napas-test",
    "NAPAS test profile (Vietnam)",
    "VN",
    guids={"A000000727": frozenset({"38"})},
    sources=(NAPAS,),
    departures=("52, 59, 60 optional",),
)

# NAPAS §6.1, the official dynamic example to an account (vietqr.jsonl; crc and tlv ok).
NAPAS_DYNAMIC = (
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802"
    "VN62340107NPS68690819thanh toan don hang63042E2E"
)


# The same code as a spec of Builder.from_dict (what ``jpqr build`` reads).
NAPAS_SPEC: dict[str, Any] = {
    "profile": "napas-test",
    "dynamic": True,
    "merchant_account": {
        "id": "38",
        "guid": "A000000727",
        "values": {"01": {"00": "970403", "01": "0011012345678"}, "02": "QRIBFTTA"},
    },
    "amount": "180000",
    "bill_number": "NPS6869",
    "purpose": "thanh toan don hang",
}


def make_module(table: Profile, scheme: Scheme | None) -> ModuleType:
    """A profile module shaped like profiles/jpqr.py (NAME, TABLE, SCHEME, check, validate...)."""
    module = ModuleType(f"tests.profile_{table.name}")
    module.NAME = table.name  # type: ignore[attr-defined]
    module.TABLE = table  # type: ignore[attr-defined]
    if scheme is not None:
        module.SCHEME = scheme  # type: ignore[attr-defined]
    module.check = table.check  # type: ignore[attr-defined]
    entry = _engine.entry_points(table)
    module.validate, module.is_valid, module.parse = entry  # type: ignore[attr-defined]
    return module


@contextmanager
def registered(module: ModuleType) -> Iterator[ModuleType]:
    """``module`` in PROFILES and its scheme in classify's index, for the block."""
    name = module.NAME
    profiles: dict[str, Any] = PROFILES  # type: ignore[assignment]  # a dict, read as a Mapping
    before = profiles.get(name)
    profiles[name] = module
    scheme = getattr(module, "SCHEME", None)
    schemes = SCHEMES
    if scheme is not None:  # it stands in for a registered scheme with the same GUIDs (vietqr)
        kept = [s for s in SCHEMES if not set(s.guids) & set(scheme.guids)]
        schemes = (*kept, scheme)
    _classify.index(schemes)
    _compiled.install()  # the compiled pass caches what classify says of each GUID
    try:
        yield module
    finally:
        if before is None:
            del profiles[name]
        else:
            profiles[name] = before
        _classify.index(SCHEMES)
        _compiled.install()


if __name__ == "__main__":
    from jpqr.cli import main

    with registered(make_module(TABLE, SCHEME)):
        sys.exit(main(sys.argv[1:]))
