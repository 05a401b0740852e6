"""Pix (Brazil, BR Code): the ``emvco`` table plus the Pix rows, as a table.

The specification is the Banco Central do Brasil's *Manual de Padrões para Iniciação do Pix*
(annex of the Pix Regulation, v2.8.0 of 2024-11-29); it was not read here. The rows come from
the libraries tests/data/schemes/README.md ("pix") lists, read in their fetched snapshots:
stone-payments/ex-pix-brcode @bc8df522 (its validating ``decode_to``: ``[ST]`` below, the schema
``lib/ex_pix_brcode/brcode/models/brcode.ex``) and Chromium's Pix validator (``[CH]``, test
names of ``pix_code_validator_unittest.cc``), all tagged [lib].

Pix departs from EMVCo in nothing: every row narrows it (a Pix merchant account in 26, its key
or URL, 62-05, BRL, BR). The README calls 53 = 986 and 58 = BR unsourced; ex-pix-brcode's
schema requires both (brcode.ex:84, :91), as it requires 62-05 and one of key or URL: one
library each, which every BCB example string agrees with. Left out, and why (README "pix"):

- non-ASCII in 59/60 (``BRASÍLIA``): **disputed** (ex-pix-brcode's ``decode/2`` accepts it, its
  ``decode_to/2`` rejects it): the EMVCo verdict (``field.charset``) stands;
- the alphanumeric-only txid in 62-05 ([ST] brcode.ex:133): **disputed** by the BCB's own
  multi-arrangement example (``RP12345678-2019``, naomijub/brcode); EMVCo's ans ≤ 25 stands;
- the 26-25 URL path of two segments or more ([ST] brcode.ex:189-190): one library only, and
  Chromium's examples (``www.example.com``) have none: left out;
- the key kinds of 26-01 (e-mail, +55 phone, CPF/CNPJ, UUID): odoo checks them on its own
  settings, not on codes: **unsourced** as a code rule;
- 60 optional: odoo's generator leaves 60 out, but ex-pix-brcode requires it ([ST]
  brcode.ex:11-19) as EMVCo does: 60 stays mandatory, and the odoo codes get ``field.missing``.

>>> from jpqr.profiles import pix
>>> bcb = ("00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-42665544000052040000530398658"
...        "02BR5913Fulano de Tal6008BRASILIA62070503***63041D3D")
>>> pix.is_valid(bcb)
True
>>> [issue.code for issue in pix.validate(bcb.replace("5802BR", "5802PT")).errors]
['pix.country', 'crc.mismatch']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..dataobject import DataObject
from . import _engine, emvco
from ._scheme import Scheme, Tree
from ._table import Allowed, Level, Pattern, Required, Rule, Templates

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = ["NAME", "SCHEME", "TABLE", "check", "is_valid", "parse", "pix_account", "validate"]
__all__ += ["is_dynamic"]

NAME = "pix"
GUID = "br.gov.bcb.pix"
ST = "ex-pix-brcode @bc8df522 lib/ex_pix_brcode/brcode/models/brcode.ex"
CH = "Chromium pix_code_validator.cc @0d5ed4e6"
DECODER = "ex-pix-brcode @bc8df522 lib/ex_pix_brcode/brcode/decoder.ex:12-19"


def find_account(tree: Tree) -> DataObject | None:
    """The template 26 whose GUID is ``br.gov.bcb.pix``, compared case-insensitively ([CH]
    lower-cases it, test ``ValidDynamicCodeWithSomeUpperCaseLetters``)."""
    for obj in tree:
        if obj.id == "26" and obj.children is not None:
            guid = next((child for child in obj.children if child.id == "00"), None)
            if guid is not None and guid.value.lower() == GUID:
                return obj
    return None


def pix_account(checker: Checker, level: Level, row: Rule) -> None:
    """The Pix merchant account ([ST] brcode.ex:72-75 and :121, decoder.ex:12-19; [CH]): a
    template 26 with GUID ``br.gov.bcb.pix`` (any case), else ``pix.guid``. In it, exactly one
    of 01 (the Pix key, a static code) and 25 (the URL of a dynamic payload), and no 02 (free
    text) beside a URL ([ST] brcode.ex:143-154), else ``pix.account``."""
    account = find_account(level.objects)
    if account is None:
        found = level.by_id.get("26")
        guid = found.find("00") if found is not None and found.children is not None else None
        what = f"GUID {guid.value!r}" if guid is not None else "none"
        checker.error(
            "pix.guid",
            "26",
            found.offset if found is not None else None,
            f"expected a merchant account template 26 with GUID {GUID!r} in a Pix code, "
            f"found {what}",
        )
        return
    inner = {child.id: child for child in account.children or ()}
    key, url, text = inner.get("01"), inner.get("25"), inner.get("02")
    if key is None and url is None:
        checker.error(
            "pix.account",
            "26",
            account.offset,
            "expected ID 26.01 (Pix key) or ID 26.25 (URL of the dynamic payload) in a Pix "
            "code, found neither",
        )
    elif key is not None and url is not None:
        checker.error(
            "pix.account",
            "26.25",
            url.offset,
            f"expected either ID 26.01 (Pix key, static) or ID 26.25 (URL, dynamic) in a Pix "
            f"code, found both (key {key.value!r})",
        )
    elif url is not None and text is not None:
        checker.error(
            "pix.account",
            "26.02",
            text.offset,
            f"expected no ID 26.02 (free text) beside the URL of a dynamic Pix code, found "
            f"{text.value!r}",
        )


# The lengths of 01 (≤ 77), 02 (≤ 72) and 25 (≤ 77) ([ST] brcode.ex:122-124) are no rows: beside
# the 18 characters of the GUID, a template of at most 99 cannot break them.
_ACCOUNT_ROWS = (
    Pattern(
        path="03",
        pattern=re.compile(r"(?s:.{8})"),
        code="pix.account",
        message="expected 8 characters for ID 26.03 (FSS, the withdrawal facilitator) in a "
        "Pix code, found {found!r}",
        source=f"{ST}:125 [lib]; decoder.ex:18 names 03 fss",
    ),
    Pattern(
        path="25",
        # a URI scheme is case-insensitive (RFC 3986 §3.1): HTTPS:// is a protocol too (ASCII
        # letters only: re's IGNORECASE would also fold U+017F ſ to s)
        pattern=re.compile(r"(?![Hh][Tt][Tt][Pp][Ss]?://\w)(?s:.*)"),
        code="pix.url",
        message="expected the URL of ID 26.25 without its scheme (no 'https://') in a Pix "
        "code, found {found!r}",
        source=f"{ST}:178-184 [lib] ('URL with protocol'; decoder_test.exs:458-466)",
    ),
)

TABLE = emvco.TABLE.extend(
    NAME,
    "Pix",
    (
        Rule(function=pix_account, source=f"{ST}:72-75,121,143-154 [lib]; {CH} [lib]"),
        Templates(rows=((frozenset({"26"}), _ACCOUNT_ROWS),), source=f"{DECODER} [lib]"),
        Required(
            path="62.05",
            code="pix.txid",
            message="expected ID 62.05 (Reference Label, the txid, '***' when none) in a Pix "
            "code, found none",
            source=f"{ST}:76-79,130-132 [lib]; every BCB example carries it",
        ),
        Allowed(
            path="53",
            values=frozenset({"986"}),
            code="pix.currency",
            message="expected currency '986' (BRL) in a Pix code, found {found!r}",
            source=f"{ST}:84 [lib]; 986 in every BCB example",
        ),
        Allowed(
            path="58",
            values=frozenset({"BR"}),
            code="pix.country",
            message="expected country code 'BR' in a Pix code, found {found!r}",
            source=f"{ST}:91 [lib]; BR in every BCB example",
        ),
    ),
    source="BCB Manual de Padrões para Iniciação do Pix as ex-pix-brcode and Chromium apply it "
    "[lib] (tests/data/schemes/README.md, pix)",
)


def is_dynamic(tree: Tree) -> bool | None:
    """Whether a Pix code is dynamic: the first sub-object after the GUID of the Pix template
    is 25, the URL ([CH] ``GetPixQrCodeType``, tests ``StaticAndDynamic``,
    ``DynamicAndStatic``); None without a Pix template or a sub-object after its GUID."""
    account = find_account(tree)
    if account is None:
        return None
    after = next((child for child in account.children or () if child.id != "00"), None)
    return None if after is None else after.id == "25"


SCHEME = Scheme(
    NAME,
    "Pix (Brazil, BR Code)",
    "BR",
    guids={GUID.upper(): frozenset({"26"})},
    near_misses=frozenset(
        {
            "BR.GOV.BCB.PXI",  # seen: Chromium test InvalidPixCodeIndicator
            "BR.GOV.BCB.PI",
            "BR.GOB.BCB.PIX",
            "BR.COM.BCB.PIX",
            "GOV.BCB.PIX",
            "BR.GOV.BCB.PIX.",
        }
    ),
    dynamic=is_dynamic,
    sources=(
        "Banco Central do Brasil, Manual de Padrões para Iniciação do Pix (not read)",
        "stone-payments/ex-pix-brcode @bc8df522 [lib]",
        "Chromium components/facilitated_payments/core/validation/pix_code_validator.cc [lib]",
    ),
    departures=(
        "none from EMVCo: 26 (GUID br.gov.bcb.pix, key or URL), 62-05, 53 = 986 and 58 = BR "
        "are mandatory",
        "dynamic is 26-25 (the URL) after the GUID, not 01",
    ),
)

check = TABLE.check
# The same three entry points in every profile module (python-stdnum style).
validate, is_valid, parse = _engine.entry_points(TABLE)
