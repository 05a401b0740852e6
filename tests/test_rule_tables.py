"""The profiles as rule tables (issue 10): every row cites its source, ``jpqr`` is ``emvco`` plus
its own rows, a profile can depart from another by dropping rows (the shape issue 12 needs), and
no module imports a layer above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType

import pytest

import jpqr
from jpqr.profiles import PROFILES, _engine, emvco
from jpqr.profiles import jpqr as jpqr_profile
from jpqr.profiles._table import Profile, Row, Rule, Templates

from .test_validate import EMV, code, replace

PACKAGE = Path(jpqr.__file__).parent
TAG = re.compile(r"\[(spec|spec-quote|doc|lib)[],]")


def all_rows(rows: tuple[Row, ...]) -> list[Row]:
    found: list[Row] = []
    for row in rows:
        found.append(row)
        if isinstance(row, Templates):
            for _, inner in row.rows:
                found += all_rows(inner)
    return found


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_row_cites_its_source(name: str) -> None:
    table: Profile = PROFILES[name].TABLE
    assert table.name == name
    for row in all_rows(table.rows):
        # SPEC.md, or a scheme's source with its quality tag (tests/data/schemes/README.md).
        assert "SPEC §" in row.source or TAG.search(row.source), row


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_rule_function_is_documented(name: str) -> None:
    for row in all_rows(PROFILES[name].TABLE.rows):
        if isinstance(row, Rule):
            assert row.function is not None and row.function.__doc__, row


def test_jpqr_is_emvco_plus_its_rows() -> None:
    base, jp = emvco.TABLE.rows, jpqr_profile.TABLE.rows
    assert jp[: len(base)] == base and len(jp) > len(base)


def test_a_profile_departs_by_dropping_rows() -> None:
    # PromptPay leaves out 52, 59 and 60 (SPEC §6): a profile without those rows says nothing
    # about them, and emvco keeps its own verdict.
    promptpay = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"
    relaxed = emvco.TABLE.without("required 52", "required 59", "required 60")
    validate, is_valid, _ = _engine.entry_points(relaxed)
    assert is_valid(promptpay) and validate(promptpay).profile == "emvco"
    assert [i.path for i in jpqr.validate(promptpay, "emvco").errors] == ["52", "59", "60"]
    with pytest.raises(ValueError, match="no rows with key"):
        emvco.TABLE.without("required 99")


def test_rows_give_the_same_report_through_the_module_and_the_api(impl: ModuleType) -> None:
    payload = code(replace(EMV, _58="XX", _52="58A2"))
    assert emvco.validate(payload) == jpqr.validate(payload, "emvco")
    assert jpqr_profile.validate(payload) == jpqr.validate(payload, "jpqr")


def imports(module: Path) -> set[str]:
    """The modules ``module`` imports (relative imports resolved inside the jpqr package)."""
    tree = ast.parse(module.read_text("utf-8"))
    package = ["jpqr", *module.parent.relative_to(PACKAGE).parts]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize(
    ("module", "above"),
    [
        ("dataobject.py", {"jpqr._kernels", "jpqr._tlv_py", "jpqr.api", "jpqr.profiles"}),
        *[
            (f"profiles/{path.name}", {"jpqr.api", "jpqr.builder", "jpqr.cli"})
            for path in sorted((PACKAGE / "profiles").glob("*.py"))
        ],
        ("schema/fields.py", {"jpqr.profiles", "jpqr.api", "jpqr.model"}),
    ],
)
def test_no_module_imports_upward(module: str, above: set[str]) -> None:
    found = imports(PACKAGE / module)
    assert not {name for name in found if any(name.startswith(a) for a in above)}


def test_primitives_are_unreserved_ids_and_carry_through_extend() -> None:
    from jpqr.profiles import duitnow, emvco

    with pytest.raises(ValueError, match="80-99"):
        emvco.TABLE.extend("x", "X", (), primitives=("62",))
    assert emvco.TABLE.primitives == frozenset()
    assert duitnow.TABLE.primitives == {"82"}
    assert duitnow.TABLE.extend("y", "Y", (), primitives=("81",)).primitives == {"81", "82"}
