"""The plan of a rule table (``_table.plan``): each tuple of rows runs as one function, with each
row's "nothing to report" test inline and its ``apply`` only where that test fails. It must give
exactly what running the rows one by one gives: the same issues in the same order, the same
checker state, on any tree (hypothesis trees of every shape, duplicates and empty values
included), for every registered profile; and rows it does not know run in their place."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import DataObject
from jpqr.profiles import PROFILES, emvco
from jpqr.profiles._engine import Checker
from jpqr.profiles._table import Level, Profile, Required, Row, Rule, Templates, plan, plan_source

from .conftest import PUBLISHED
from .strategies import trees

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# Trees made of the IDs and values the tables name, so that every row's test is hit both ways
# (present or not, empty or not, allowed or not), duplicates included.
VALUES = st.one_of(
    st.sampled_from(
        [
            *("", "01", "02", "03", "11", "12", "392", "JPY", "840", "JP", "CN", "jp", "JA", "ja"),
            *("0", "0.0", "100", "1.5", "98.", "1,5", "05.5", "99.99", "AME", "AA", "1066143"),
            *("jp.or.paymentsjapan", "JP.OR.PAYMENTSJAPAN", "A000000677010111", "0000000000001"),
            *("0001", "000001", "最佳运输", "e\u0301", "\x07", "100-0001", "ZH"),
        ]
    ),
    st.text(max_size=20),
)
TEMPLATE_IDS = ["26", "29", "51", "62", "64", "80", "91"]


def leaf(ids: list[str]) -> st.SearchStrategy[DataObject]:
    return st.builds(DataObject, st.sampled_from(ids), VALUES)


def template(
    ids: list[str], children: st.SearchStrategy[DataObject]
) -> st.SearchStrategy[DataObject]:
    def make(id: str, kids: list[DataObject]) -> DataObject:
        return DataObject(
            id, "".join(f"{k.id}{len(k.value):02d}{k.value}" for k in kids), tuple(kids)
        )

    return st.builds(make, st.sampled_from(ids), st.lists(children, max_size=6))


CHILD_IDS = ["00", "01", "02", "03", "04", "05", "09", "50", "99"]
ROOT_IDS = ["00", "01", "02", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "63"]
named_trees = st.lists(
    st.one_of(
        leaf(ROOT_IDS),
        template(TEMPLATE_IDS, st.one_of(leaf(CHILD_IDS), template(["50", "99"], leaf(CHILD_IDS)))),
    ),
    max_size=16,
)


def row_by_row(rows: tuple[Row, ...], checker: Checker, level: Level) -> None:
    """The table run the slow way: every row's apply in order, templates descended here (not
    through Templates.apply, which runs the plan of the inner rows)."""
    for row in rows:
        if isinstance(row, Templates):
            for obj in level.objects:
                if obj.children is None or (row.nonempty and not obj.value):
                    continue
                for members, inner in row.rows:
                    if obj.id in members:
                        path = f"{level.path}.{obj.id}" if level.path else obj.id
                        row_by_row(inner, checker, Level(obj.children, path))
                        break
        else:
            row.apply(checker, level)


def both_ways(profile: Profile, tree: tuple[DataObject, ...]) -> tuple[Checker, Checker]:
    planned, slow = Checker(), Checker()
    profile.check(planned, tree)
    row_by_row(profile.rows, slow, Level(tree, ""))
    return planned, slow


def same(planned: Checker, slow: Checker) -> None:
    assert planned.errors == slow.errors
    assert planned.warnings == slow.warnings
    assert planned.exponent == slow.exponent


@pytest.mark.parametrize("name", sorted(PROFILES))
@SETTINGS
@given(tree=st.one_of(trees, named_trees))
def test_the_plan_gives_what_the_rows_give_one_by_one(name: str, tree: list[DataObject]) -> None:
    same(*both_ways(PROFILES[name].TABLE, tuple(tree)))


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_the_plan_gives_what_the_rows_give_on_the_published_vectors(
    impl: ModuleType, name: str
) -> None:
    found = 0
    for vector in PUBLISHED:
        try:
            tree = jpqr.decode(vector["payload"])
        except jpqr.DecodeError:
            continue
        planned, slow = both_ways(PROFILES[name].TABLE, tree)
        same(planned, slow)
        found += len(slow.errors) + len(slow.warnings)
    assert found > 10  # the vectors have findings, not only clean codes


@dataclass(frozen=True, slots=True)
class Marker(Row):
    """A row type the plan has no test for: it must run its apply, in its place."""

    def apply(self, checker: Checker, level: Level) -> None:
        checker.warn("test.marker", level.path, None, f"{len(level.objects)} objects")


def test_a_row_type_the_plan_does_not_know_runs_in_its_place() -> None:
    rows = (
        Required(path="52", source="test"),
        Marker(source="test"),
        Required(path="53", source="test"),
        Templates(rows=((frozenset({"62"}), (Marker(source="test"),)),), source="test"),
    )
    tree = jpqr.decode("62090505S-142")
    checker = Checker()
    Profile("test", "Test", rows).check(checker, tree)
    assert [(e.code, e.path) for e in checker.errors] == [
        ("field.missing", "52"),
        ("field.missing", "53"),
    ]
    assert [(w.code, w.path, w.message) for w in checker.warnings] == [
        ("test.marker", "", "1 objects"),
        ("test.marker", "62", "1 objects"),
    ]


def test_a_rule_function_gets_the_level_of_its_template() -> None:
    seen: list[tuple[str, tuple[str, ...], str | None]] = []

    def look(checker: Checker, level: Level, row: Rule) -> None:
        """Records what it was given."""
        found = level.find(row.path)
        seen.append((level.path, tuple(level.by_id), found.value if found else None))

    rows = (
        Templates(
            rows=((frozenset({"62"}), (Rule(function=look, path="05", source="test"),)),),
            source="test",
        ),
    )
    # Two 05 in 62: the Level's first occurrence wins (duplicate.id is the structure's).
    tree = jpqr.decode("62180505S-1420505S-999")
    Profile("test", "Test", rows).check(Checker(), tree)
    assert seen == [("62", ("05",), "S-142")]


def test_plan_runs_a_level_and_shows_its_source() -> None:
    rows = emvco.TABLE.rows
    checker = Checker()
    plan(rows)(checker, Level(jpqr.decode("0002010102116304AD0A"), ""))
    assert [e.path for e in checker.errors] == ["52", "53", "58", "59", "60", ""]
    source = plan_source(rows)
    assert source.startswith("def run(checker, objects, path, level):")
    assert source.count("# row ") == len(rows)
