"""A/B timing of jpqr against an older revision, on this machine, both twins.

    python tools/ab.py                    # against 02d48f4 (main before the rule tables)
    python tools/ab.py --rev main~3 --rounds 9 --calls validate parse
    python tools/ab.py --instructions 500   # and instructions a call (valgrind), load-free

It checks the revision out in a temporary git worktree, builds its extensions there
(``python setup.py build_ext --inplace``), then times the same calls on both trees in
alternating subprocesses (old, new, new, old, ...), each on the compiled twin and on the pure
twin (``JPQR_NO_EXTENSIONS=1``), and prints the best time of each (microseconds a call), the
ratio old/new (above 1: the new tree is faster) and the spread of that ratio across rounds.
The payloads are those of ``benchmarks/payloads.py`` of this tree, passed to both trees as
text, so both time the same input. The current tree is timed as it is built (run ``pip install
-e .`` after editing a ``.pyx``).

Each subprocess runs ``python -S`` with ``PYTHONPATH`` set to its tree's ``src`` only, so an
editable install of either tree cannot shadow the other (it checks ``jpqr.__file__``). On a
shared machine the spread matters more than any one figure: run it more than once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TWINS = ("cython", "python")
CALLS = ("validate", "is_valid", "parse")

# Run in each tree: times each (call, payload) pair and prints {"call kind": seconds} as JSON.
_TIMER = r"""
import json, sys, time
import jpqr
from jpqr import _kernels
assert jpqr.__file__.startswith(sys.argv[1]), (jpqr.__file__, sys.argv[1])
twin, calls, payloads, repeat, number = json.loads(sys.stdin.read())
assert _kernels.IMPLEMENTATION == twin, (_kernels.IMPLEMENTATION, twin)
found = {}
for call in calls:
    function = getattr(jpqr, call)
    for kind, payload in payloads.items():
        if call == "parse" and not jpqr.is_valid(payload):
            continue
        function(payload)  # warm up: lazy imports, the rule plans (made at the first call)
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                function(payload)
            best = min(best, (time.perf_counter() - start) / number)
        found[f"{call} {kind}"] = best
print(json.dumps(found))
"""
# Run under callgrind: one call to warm up (lazy imports, the rule plans), then ``number`` calls.
_COUNTER = r"""
import json, sys
import jpqr
assert jpqr.__file__.startswith(sys.argv[1]), (jpqr.__file__, sys.argv[1])
call, payload, number = json.loads(sys.stdin.read())
function = getattr(jpqr, call)
function(payload)
for _ in range(number):
    function(payload)
"""


def cpu_model() -> str:
    """The CPU as /proc/cpuinfo names it (``lscpu``'s "Model name"), with its family and model
    numbers and whether it has AVX-512 (a VM's model name is often generic)."""
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        return "unknown CPU"
    avx512 = "AVX-512" if "avx512f" in fields.get("flags", "").split() else "no AVX-512"
    return (
        f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')}, "
        f"model {fields.get('model', '?')}, {avx512}, {os.cpu_count()} CPUs)"
    )


def payloads() -> dict[str, str]:
    sys.path.insert(0, str(HERE))
    from benchmarks.payloads import VALIDATE_PAYLOADS

    return dict(VALIDATE_PAYLOADS)


def build(tree: Path) -> None:
    """Build the tree's Cython extensions in place (the compiled twin is required; Cython and
    setuptools, the build requirements of pyproject.toml, must be installed)."""
    env = {**os.environ, "JPQR_REQUIRE_EXTENSIONS": "1"}
    env.pop("JPQR_NO_EXTENSIONS", None)
    subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )


def time_tree(
    tree: Path, twin: str, calls: list[str], texts: dict[str, str], repeat: int, number: int
) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-S", "-c", _TIMER, str(tree / "src")],
        input=json.dumps([twin, calls, texts, repeat, number]),
        env=_env(tree, twin),
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, float] = json.loads(done.stdout)
    return found


def count_tree(tree: Path, twin: str, call: str, payload: str, number: int) -> int:
    """Instructions one call executes (callgrind: ``number`` calls minus none, so the start of
    the interpreter and the warm-up call cancel out). Not time, but free of the machine's load."""
    counts = []
    for calls in (0, number):
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                *(sys.executable, "-S", "-c", _COUNTER, str(tree / "src")),
            ],
            input=json.dumps([call, payload, calls]),
            env=_env(tree, twin),
            capture_output=True,
            text=True,
            check=True,
        )
        found = [line for line in done.stderr.splitlines() if "Collected :" in line]
        counts.append(int(found[-1].rpartition(":")[2]))
    return (counts[1] - counts[0]) // number


def _env(tree: Path, twin: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JPQR_NO_EXTENSIONS")}
    env["PYTHONPATH"] = str(tree / "src")
    if twin == "python":
        env["JPQR_NO_EXTENSIONS"] = "1"
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="02d48f4", help="the old revision (default 02d48f4)")
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds (best of N)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per call in a round")
    parser.add_argument("--number", type=int, default=400, help="calls per timing")
    parser.add_argument("--calls", nargs="+", choices=CALLS, default=["validate"])
    parser.add_argument("--twins", nargs="+", choices=TWINS, default=list(TWINS))
    parser.add_argument("--json", type=Path, help="also write every round's figures here")
    parser.add_argument(
        "--instructions",
        type=int,
        metavar="N",
        default=0,
        help="also count the instructions of one call under valgrind (N calls; slow)",
    )
    args = parser.parse_args(argv)
    texts = payloads()
    with tempfile.TemporaryDirectory(prefix="jpqr-ab-") as scratch:
        old = Path(scratch) / "old"
        subprocess.run(
            ["git", "-C", str(HERE), "worktree", "add", "--detach", str(old), args.rev],
            check=True,
            capture_output=True,
        )
        try:
            build(old)
            trees = {"old": old, "new": HERE}
            rounds: dict[str, dict[str, list[float]]] = {t: {} for t in trees}
            for number in range(args.rounds):
                order = ("old", "new") if number % 2 == 0 else ("new", "old")
                for twin in args.twins:
                    for name in order:
                        found = time_tree(
                            trees[name], twin, args.calls, texts, args.repeat, args.number
                        )
                        for key, seconds in found.items():
                            rounds[name].setdefault(f"{twin} {key}", []).append(seconds)
            counted: dict[str, dict[str, int]] = {t: {} for t in trees}
            for twin in args.twins if args.instructions else ():
                for call in args.calls:
                    for kind, text in texts.items():
                        for name in trees:
                            counted[name][f"{twin} {call} {kind}"] = count_tree(
                                trees[name], twin, call, text, args.instructions
                            )
        finally:
            subprocess.run(
                ["git", "-C", str(HERE), "worktree", "remove", "--force", str(old)],
                check=False,
                capture_output=True,
            )
    print(f"jpqr A/B: {args.rev} (old) against {HERE} (new); CPU: {cpu_model()}")
    print(f"best of {args.rounds} alternating rounds x {args.repeat} x {args.number} calls")
    print(f"{'twin call payload':34} {'old µs':>8} {'new µs':>8} {'old/new':>8}  per-round ratios")
    for key in rounds["new"]:
        before, after = rounds["old"].get(key), rounds["new"][key]
        if not before:
            continue
        ratios = [b / a for b, a in zip(before, after, strict=True)]
        print(
            f"{key:34} {min(before) * 1e6:8.2f} {min(after) * 1e6:8.2f} "
            f"{min(before) / min(after):8.3f}  {min(ratios):.3f}-{max(ratios):.3f} "
            f"(median {statistics.median(ratios):.3f})"
        )
    if args.instructions:
        print(f"instructions a call (callgrind, {args.instructions} calls after one to warm up)")
        for key, count in counted["new"].items():
            base = counted["old"][key]
            print(f"{key:34} {base:8d} {count:8d} {base / count:8.3f}")
    if args.json:
        args.json.write_text(json.dumps({"rev": args.rev, "cpu": cpu_model(), **rounds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
