"""Freeing DataObject instances and instances of subclasses a user defines (issue 9, part 6).

The compiled twin gives exact DataObject instances a cheaper deallocator (src/jpqr/_dataobject.h);
a subclass keeps CPython's, which calls that one as its base's. Each case runs in a child
process, on both twins, so a hang (the old deallocator restarted subtype_dealloc for ever) or a
crash fails the test instead of stopping the suite. Expected behaviour is CPython's for any
tuple subclass: finalizers run once, resurrection works, cycles are collected, weak references
to what an instance holds die with it (a tuple subclass itself cannot be weakly referenced in
CPython), the type's reference count comes back to where it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from types import ModuleType

import pytest

CASES = {
    "del": """
        class Logged(DataObject):
            def __del__(self):
                events.append(self.id)
        obj = Logged("00", "01"); del obj
        assert events == ["00"], events
    """,
    "del of many, type refcount": """
        class Logged(DataObject):
            def __del__(self):
                events.append(1)
        before = sys.getrefcount(Logged)
        for _ in range(10_000):
            Logged("00", "01")
        assert len(events) == 10_000
        assert sys.getrefcount(Logged) == before, (sys.getrefcount(Logged), before)
    """,
    "plain subclass, dict and weakref": """
        class Sub(DataObject):
            pass
        before = sys.getrefcount(Sub)
        obj = Sub("59", "X")
        obj.note = Marker()  # held by the instance's __dict__
        ref = weakref.ref(obj.note, lambda r: events.append("callback"))
        try:
            weakref.ref(obj)
        except TypeError:
            pass  # CPython: a tuple subclass has no __weakref__ slot, and cannot be given one
        else:
            raise AssertionError("weak reference to a tuple subclass")
        del obj
        assert ref() is None and events == ["callback"], events
        assert sys.getrefcount(Sub) == before
    """,
    "slots": """
        class Slotted(DataObject):
            __slots__ = ()
        before = sys.getrefcount(Slotted)
        for _ in range(1000):
            Slotted("00", "01", (Slotted("01", "x"),))
        assert sys.getrefcount(Slotted) == before
        try:
            class Bad(DataObject):
                __slots__ = ("extra",)
        except TypeError:
            pass  # CPython: nonempty __slots__ not supported for a tuple subtype
        else:
            raise AssertionError("nonempty __slots__ accepted")
    """,
    "resurrection": """
        class Phoenix(DataObject):
            def __del__(self):
                events.append(self)  # resurrected once; a finalizer runs only once
        obj = Phoenix("00", "01"); del obj
        assert len(events) == 1 and events[0] == ("00", "01", None, None)
        events.clear()  # freed now, without calling __del__ again
        gc.collect()
    """,
    "cycles through children": """
        class Sub(DataObject):
            def __del__(self):
                events.append("sub")
        for cls in (DataObject, Sub):
            kids = [Marker()]
            node = cls("62", "", kids)
            kids.append(node)
            ref = weakref.ref(kids[0])
            del node, kids
            gc.collect()
            assert ref() is None
        assert events == ["sub"], events
    """,
    "deep nesting": """
        class Sub(DataObject):
            __slots__ = ()
        for cls in (DataObject, Sub):
            node = cls("00", "01")
            for _ in range(200_000):
                node = cls("62", "", (node,))
            del node  # the trashcan, not the C stack
    """,
    "exact type: decode and free": """
        before = sys.getrefcount(DataObject)
        for _ in range(1000):
            jpqr.decode("0002010102116304AD0A")
        assert sys.getrefcount(DataObject) == before
    """,
    "finalizer given to DataObject itself": """
        tree = jpqr.decode("0002010102116304AD0A")
        class Sub(DataObject):
            pass
        sub = Sub("00", "01")
        DataObject.__del__ = lambda self: events.append(self.id)
        del tree, sub
        DataObject("59", "X")
        gc.collect()
        assert sorted(events) == ["00", "00", "01", "59", "63"], events
        del DataObject.__del__
        jpqr.decode("0002010102116304AD0A")
    """,
    "gc of subclass with dict cycle": """
        class Sub(DataObject):
            pass
        obj = Sub("00", "01")
        obj.me = obj
        obj.marker = Marker()
        ref = weakref.ref(obj.marker)
        del obj
        gc.collect()
        assert ref() is None
    """,
}

PRELUDE = """
import gc, sys, weakref
import jpqr
from jpqr import DataObject, _kernels
assert _kernels.IMPLEMENTATION == {implementation!r}, _kernels.IMPLEMENTATION
events = []
class Marker:
    pass
"""


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_dealloc(impl: ModuleType, case: str) -> None:
    script = PRELUDE.format(implementation=impl.IMPLEMENTATION) + textwrap.dedent(CASES[case])
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
