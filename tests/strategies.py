"""Hypothesis strategies shared by the test modules: text of many scripts and data-object trees."""

from __future__ import annotations

from hypothesis import strategies as st

from jpqr.dataobject import NESTED_TEMPLATE_IDS, ROOT_TEMPLATE_IDS, DataObject

# Japanese, Chinese, Khmer, accented Latin, and characters outside the Basic Multilingual Plane.
SCRIPTS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 .-*/"
    "あいうえおカタカナメルペイ東京都渋谷区充電"
    "最佳运输北京上海"
    "ភ្នំពេញកម្ពុជា"
    "ÀÉÍÓÚàéíóúçñÅøßBRASÍLIA"
    "😀𠮷𝄞"
)
value_text = st.text(alphabet=SCRIPTS, min_size=0, max_size=99)
ALL_IDS = [f"{n:02d}" for n in range(100)]


def primitives(allowed: list[str]) -> st.SearchStrategy[DataObject]:
    return st.builds(lambda id, value: DataObject(id, value), st.sampled_from(allowed), value_text)


def templates(
    allowed: frozenset[str], children: st.SearchStrategy[DataObject]
) -> st.SearchStrategy[DataObject]:
    def make(id: str, kids: list[DataObject]) -> DataObject | None:
        value = "".join(f"{k.id}{len(k.value):02d}{k.value}" for k in kids)
        return DataObject(id, value, tuple(kids)) if len(value) <= 99 else None

    made = st.builds(make, st.sampled_from(sorted(allowed)), st.lists(children, max_size=4))
    return made.filter(lambda obj: obj is not None)  # type: ignore[return-value]


_IN_62 = NESTED_TEMPLATE_IDS["62"]
additional_data = templates(
    frozenset({"62"}),
    st.one_of(
        primitives([i for i in ALL_IDS if i not in _IN_62]),
        templates(_IN_62, primitives(ALL_IDS)),
    ),
)
root_objects = st.one_of(
    primitives([i for i in ALL_IDS if i not in ROOT_TEMPLATE_IDS and i != "63"]),
    templates(ROOT_TEMPLATE_IDS - {"62"}, primitives(ALL_IDS)),
    additional_data,
)
trees = st.lists(root_objects, min_size=1, max_size=8)


def without_offsets(objects: tuple[DataObject, ...] | None) -> tuple[DataObject, ...] | None:
    if objects is None:
        return None
    return tuple(DataObject(o.id, o.value, without_offsets(o.children), None) for o in objects)
