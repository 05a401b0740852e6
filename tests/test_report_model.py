"""The lighter report and model (issue 10 item 4) behave as the frozen dataclasses they were:
repr, equality (only with their own class), hash, pickling, copying, immutability, no ordering,
keyword construction and defaults. The old definitions are written out here as the oracle."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

import jpqr
from jpqr import model
from jpqr.report import Issue, ValidationReport

from .test_validate import BASE, EMV, code
from .test_validate import replace as replace_pairs


@dataclass(frozen=True)
class OldIssue:  # jpqr.report.Issue before issue 10
    code: str
    path: str
    offset: int | None
    message: str


@dataclass(frozen=True)
class OldValidationReport:  # jpqr.report.ValidationReport before issue 10
    ok: bool
    profile: str
    crc: str
    errors: tuple[Any, ...]
    warnings: tuple[Any, ...]
    payload: str


def renamed(text: str) -> str:
    return text.replace("OldIssue", "Issue").replace("OldValidationReport", "ValidationReport")


ISSUES = [("field.missing", "52", None, "expected ID 52, found none"), ("a", "", 7, "m")]


@pytest.mark.parametrize("args", ISSUES)
def test_issue_behaves_as_the_dataclass(args: tuple[Any, ...]) -> None:
    new, old = Issue(*args), OldIssue(*args)
    assert repr(new) == renamed(repr(old))
    assert hash(new) == hash(old)
    assert new == Issue(*args)
    assert not new != Issue(*args)  # noqa: SIM202 - __ne__ is its own method
    assert new != args and new != old and new != OldIssue(*args)  # type: ignore[comparison-overlap]  # own class only
    assert Issue(code=args[0], path=args[1], offset=args[2], message=args[3]) == new
    assert pickle.loads(pickle.dumps(new)) == new
    assert copy.copy(new) == new and copy.deepcopy(new) == new
    assert bool(new) is bool(old) is True
    for what in ("code", "other"):
        with pytest.raises(FrozenInstanceError):
            setattr(new, what, "x")
        with pytest.raises(FrozenInstanceError):
            setattr(old, what, "x")
    with pytest.raises(FrozenInstanceError):
        del new.code
    for compare in ("__lt__", "__le__", "__gt__", "__ge__"):
        with pytest.raises(TypeError):
            _ordered(compare, new)
    with pytest.raises(TypeError):
        new + new
    assert new.to_dict() == dict(zip(("code", "path", "offset", "message"), args, strict=True))
    assert str(new) == Issue.__str__(new)


def _ordered(compare: str, value: Any) -> Any:
    import operator

    return getattr(operator, compare.strip("_"))(value, value)


def test_report_behaves_as_the_dataclass(impl: ModuleType) -> None:
    for payload in (code(BASE), code(replace_pairs(EMV, _59=None, _58="XX")) + "x"):
        new = jpqr.validate(payload)
        issues = [OldIssue(*i) for i in new.errors], [OldIssue(*i) for i in new.warnings]
        old = OldValidationReport(
            new.ok, new.profile, new.crc, tuple(issues[0]), tuple(issues[1]), new.payload
        )
        assert repr(new) == renamed(repr(old))
        assert hash(new) == hash(
            (new.ok, new.profile, new.crc, new.errors, new.warnings, new.payload)
        )
        assert new == ValidationReport(*new) and new != tuple(new)
        assert pickle.loads(pickle.dumps(new)) == new
        assert bool(new) is new.ok
        with pytest.raises(FrozenInstanceError):
            new.ok = True  # type: ignore[misc]
        with pytest.raises(TypeError):
            _ordered("__lt__", new)
        assert new.codes == tuple(i.code for i in new.errors + new.warnings)
        assert new.to_dict()["valid"] is new.ok


def reference_class(cls: type) -> type:
    """``cls`` as plain ``dataclass(frozen=True)`` makes it: the same fields, flags, defaults."""
    namespace: dict[str, Any] = {"__annotations__": {}, "__qualname__": cls.__qualname__}
    for spec in fields(cls):
        namespace["__annotations__"][spec.name] = spec.type
        namespace[spec.name] = field(
            default=spec.default,
            default_factory=spec.default_factory,
            repr=spec.repr,
            hash=spec.hash,
            compare=spec.compare,
        )
    return dataclass(frozen=True)(type(cls.__name__, (), namespace))


MODEL_CLASSES = [
    model.MerchantAccount,
    model.JPQRIdentifier,
    model.TipOrConvenience,
    model.Template,
    model.AdditionalData,
    model.LanguageTemplate,
    model.MerchantPresentedCode,
]


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=[c.__name__ for c in MODEL_CLASSES])
def test_model_classes_behave_as_plain_frozen_dataclasses(cls: type) -> None:
    reference = reference_class(cls)
    parsed = jpqr.parse(code(replace_pairs(BASE, _55="02", _56="10")))
    sample = {
        model.MerchantAccount: parsed.merchant_accounts[0],
        model.JPQRIdentifier: parsed.jpqr,
        model.TipOrConvenience: parsed.tip_or_convenience,
        model.AdditionalData: parsed.additional_data,
        model.LanguageTemplate: parsed.language,
        model.MerchantPresentedCode: parsed,
        model.Template: model.Template("80", "com.example", {"00": "com.example"}),
    }[cls]
    values = {spec.name: getattr(sample, spec.name) for spec in fields(cls)}
    new, old = cls(**values), reference(**values)
    assert new == sample and repr(new) == repr(old)
    assert new == cls(*values.values())
    if all(spec.hash is not False for spec in fields(cls) if isinstance(values[spec.name], dict)):
        assert hash(new) == hash(old)
    assert pickle.loads(pickle.dumps(new)) == new
    assert replace(new) == new
    with pytest.raises(FrozenInstanceError):
        setattr(new, fields(cls)[0].name, None)
    required = [s for s in fields(cls) if s.default is s.default_factory]  # both MISSING
    minimal = {s.name: values[s.name] for s in required}
    made, expected = cls(**minimal), reference(**minimal)
    assert repr(made) == repr(expected)
    factories = [s.name for s in fields(cls) if callable(s.default_factory)]
    for name in factories:  # a fresh default each time, as dataclass gives
        assert getattr(made, name) is not getattr(cls(**minimal), name)


def test_parse_reads_the_same_fields_as_before(impl: ModuleType) -> None:
    parsed = jpqr.parse(code(replace_pairs(BASE, _55="03", _57="3.5")))
    assert parsed.amount == Decimal("1500") and parsed.tip_or_convenience is not None
    assert parsed.tip_or_convenience.percentage == Decimal("3.5")
    assert parsed.additional_data is not None and parsed.additional_data.reference_label == "S-1"
    assert parsed.additional_data.rfu == {} and parsed.additional_data.templates == ()
