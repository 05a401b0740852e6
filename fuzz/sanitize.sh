#!/usr/bin/env bash
# A short AddressSanitizer + UBSan run for CI (issue 9, part 6): build the compiled twin with
# sanitizers into a fresh temporary venv (a non-editable install of a copy of this tree, so no
# instrumented .so ever lands in src/), then, with the sanitizer runtimes preloaded, run
#   - every fuzz harness in --mutate mode (no atheris) over the seed corpus made from tests/data,
#     on each CRC path this CPU has (JPQR_CRC_PATH=table|pclmul|avx512);
#   - the kernel, regression, batch and differential tests against the installed package.
# Any sanitizer report, harness failure or test failure exits non-zero.
#
#   bash fuzz/sanitize.sh [BUDGET]      # BUDGET: seconds of fuzzing in all (default 120)
#
# Environment: JPQR_SANITIZE_BUDGET (the same as BUDGET), JPQR_SANITIZE_CC (clang or gcc; default
# clang where it is or can be installed, else gcc), JPQR_SANITIZE_JOBS (fuzz runs at once; default
# the number of CPUs), JPQR_SANITIZE_KEEP=1 (keep the temporary directory), PYTHON (python3).
# The fuzzing budget is split evenly over the runs (harness x CRC path); they run JOBS at a time,
# so the fuzzing takes about BUDGET / JOBS of wall time. See fuzz/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUDGET="${1:-${JPQR_SANITIZE_BUDGET:-120}}"
JOBS="${JPQR_SANITIZE_JOBS:-$(nproc 2>/dev/null || echo 2)}"
PYTHON="${PYTHON:-python3}"
HARNESSES=(fuzz_kernels fuzz_validate fuzz_batch fuzz_ber fuzz_roundtrip fuzz_builder)
TESTS=(test_fuzz_regressions.py test_tlv.py test_crc.py test_batch.py test_differential.py
    test_hostile_objects.py test_ber.py test_ber_differential.py test_ber_dealloc.py test_cpm_hostile.py
    test_rules_differential.py test_report_model.py)
started=$SECONDS

say() { echo "== sanitize [$((SECONDS - started)) s]: $*"; }
die() {
    echo "sanitize: FAILED: $*" >&2
    exit 1
}

# In memory where there is room (and exec is allowed): on a disk mounted with `discard` merely
# deleting the ~300 MB of venv and build takes ~20 s.
tmp_root="${TMPDIR:-/tmp}"
if [[ -z "${TMPDIR:-}" && -d /dev/shm && -w /dev/shm ]] &&
    (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 2000000)); then
    probe="$(mktemp /dev/shm/jpqr-probe.XXXXXX)"
    printf '#!/bin/sh\n' >"$probe" && chmod +x "$probe" && "$probe" 2>/dev/null && tmp_root=/dev/shm
    rm -f "$probe"
fi
work="$(mktemp -d "$tmp_root/jpqr-sanitize.XXXXXX")"
if [[ "${JPQR_SANITIZE_KEEP:-}" == 1 ]]; then
    say "keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# ---- the compiler: clang (which also proves the clang build) where it is or can be installed
install_clang() {
    command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]] || return 1
    say "clang missing: apt-get install -y clang"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq clang >"$work/apt.log" 2>&1 ||
        { apt-get update -qq >>"$work/apt.log" 2>&1 && apt-get install -y -qq clang >>"$work/apt.log" 2>&1; }
}
CC_KIND="${JPQR_SANITIZE_CC:-}"
if [[ -z "$CC_KIND" ]]; then
    if command -v clang >/dev/null || { install_clang && command -v clang >/dev/null; }; then
        CC_KIND=clang
    else
        say "no clang, and it could not be installed: falling back to gcc"
        [[ -f "$work/apt.log" ]] && tail -n 5 "$work/apt.log"
        CC_KIND=gcc
    fi
    asan_rt="libclang_rt.asan-$(uname -m).so"
    if [[ "$CC_KIND" == clang && ! -f "$(clang -print-file-name="$asan_rt")" ]]; then
        say "clang has no $asan_rt (compiler-rt): falling back to gcc"
        CC_KIND=gcc
    fi
fi
case "$CC_KIND" in
clang)
    command -v clang >/dev/null || die "JPQR_SANITIZE_CC=clang but there is no clang"
    # -shared-libasan: the extension uses the ASan runtime preloaded into the (uninstrumented)
    # Python, which also holds clang's UBSan handlers.
    SAN_CC=clang
    SAN_LDFLAGS="-fsanitize=address,undefined -shared-libasan"
    PRELOAD="$(clang -print-file-name="libclang_rt.asan-$(uname -m).so")"
    ;;
gcc)
    SAN_CC=gcc
    SAN_LDFLAGS="-fsanitize=address,undefined"
    PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
    ;;
*) die "JPQR_SANITIZE_CC must be clang or gcc, not $CC_KIND" ;;
esac
for lib in ${PRELOAD//:/ }; do
    [[ -f "$lib" ]] || die "sanitizer runtime not found: $lib"
done
say "compiler: $("$SAN_CC" --version | head -n 1)"
say "runtimes: $PRELOAD"

# ---- a fresh venv with the test dependencies and the build tools (no build isolation)
say "venv in $work"
"$PYTHON" -m venv "$work/venv"
VPY="$work/venv/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check \
    "setuptools>=69" "Cython>=3.0" wheel "pytest>=8" "hypothesis>=6.100" "numpy>=1.24"
# fuzz_roundtrip and fuzz_builder read their input through atheris.FuzzedDataProvider (only that:
# libFuzzer is not used here); without an atheris wheel for this Python they are left out.
if ! "$VPY" -m pip install --quiet --disable-pip-version-check atheris >"$work/atheris.log" 2>&1; then
    say "atheris not installable here: fuzz_roundtrip and fuzz_builder are left out"
    HARNESSES=(fuzz_kernels fuzz_validate fuzz_batch fuzz_ber)
fi

# ---- a clean copy of the tree (no build/, no .so of an earlier build can be reused), built there
mkdir "$work/src"
tar -C "$ROOT" --exclude=.git --exclude=build --exclude=dist --exclude='*.egg-info' \
    --exclude='*.so' --exclude='__pycache__' --exclude='.venv' --exclude='venv*' \
    --exclude='.hypothesis' -cf - . | tar -C "$work/src" -xf -
find "$work/src/src" -name '*.c' -delete # generated by cythonize; made afresh
SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g"
say "building the extensions with $SAN_CFLAGS"
(
    cd "$work/src"
    CC="$SAN_CC" LDSHARED="$SAN_CC -shared" CFLAGS="$SAN_CFLAGS" LDFLAGS="$SAN_LDFLAGS" \
        JPQR_REQUIRE_EXTENSIONS=1 "$VPY" -m pip install --quiet --disable-pip-version-check \
        --no-deps --no-build-isolation --no-cache-dir . >"$work/build.log" 2>&1
) || {
    tail -n 40 "$work/build.log"
    die "the instrumented build failed"
}
rm -rf "$work/src/src" # from here on nothing can import jpqr from a source tree

# ---- the runtime environment: the Python binary is not instrumented, so preload the runtimes
san_env=(
    env "LD_PRELOAD=$PRELOAD"
    "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "PYTHONMALLOC=malloc" # so that ASan sees every object allocation
    "PYTHONDONTWRITEBYTECODE=1"
)

# The installed package must be the compiled twin, instrumented, from the venv.
"${san_env[@]}" "$VPY" - "$work/venv" <<'EOF' >"$work/paths" || die "the installed package is not the instrumented compiled twin"
import os, subprocess, sys
import jpqr
from jpqr import _ber, _crc, _rules, _rules_model, _tlv
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(jpqr.__file__).startswith(venv), jpqr.__file__
assert jpqr.IMPLEMENTATION == "cython", jpqr.IMPLEMENTATION
for module in (_crc, _tlv, _ber, _rules, _rules_model):
    symbols = subprocess.run(["nm", "-D", module.__file__], capture_output=True, text=True).stdout
    assert "__asan_report_load" in symbols and "__ubsan_handle" in symbols, module.__file__
    print(f"instrumented: {module.__file__}", file=sys.stderr)
paths = []
for path in _crc.CRC_PATHS:
    try:
        _crc._use_path(path)
    except ValueError:
        continue
    paths.append(path)
print(" ".join(paths))
EOF
read -r -a CRC_PATHS <"$work/paths"
say "CRC paths this CPU has: ${CRC_PATHS[*]}"

# ---- fuzzing: seed corpora from tests/data, then --mutate runs, JOBS at a time
mkdir -p "$work/corpus" "$work/logs" "$work/artifacts"
for h in "${HARNESSES[@]}"; do
    (cd "$work/src/fuzz" && "${san_env[@]}" "$VPY" "$h.py" --seed "$work/corpus/$h" >/dev/null) ||
        die "$h: could not write its seed corpus"
done
runs=$((${#HARNESSES[@]} * ${#CRC_PATHS[@]}))
each=$(awk -v b="$BUDGET" -v n="$runs" 'BEGIN { s = b / n; if (s < 1) s = 1; printf "%.1f", s }')
say "fuzzing: $runs runs of $each s each (budget $BUDGET s), $JOBS at a time"
report() { # the first sanitizer report or fuzz failure of a log, else its end
    if grep -qE 'ERROR: AddressSanitizer|runtime error:|FUZZ FAILURE' "$1"; then
        grep -m 1 -A 14 -E 'ERROR: AddressSanitizer|runtime error:|FUZZ FAILURE' "$1" >&2
        grep -m 1 -E '^SUMMARY: ' "$1" >&2 || true
    else
        tail -n 40 "$1" >&2
    fi
}
fuzz_one() { # harness path
    local h=$1 p=$2 rc=0 seed=${FUZZ_SEED:-$RANDOM}
    echo "$seed" >"$work/logs/$h.$p.seed"
    (cd "$work/src/fuzz" && "${san_env[@]}" "JPQR_CRC_PATH=$p" "FUZZ_ARTIFACTS=$work/artifacts" \
        "FUZZ_SEED=$seed" timeout --signal=KILL $((${each%.*} + 120)) \
        "$VPY" "$h.py" --mutate "$each" "$work/corpus/$h") >"$work/logs/$h.$p.log" 2>&1 || rc=$?
    echo "$rc" >"$work/logs/$h.$p.rc"
}
for p in "${CRC_PATHS[@]}"; do
    for h in "${HARNESSES[@]}"; do
        while (($(jobs -rp | wc -l) >= JOBS)); do sleep 0.2; done
        fuzz_one "$h" "$p" &
    done
done
wait
failed=0
for p in "${CRC_PATHS[@]}"; do
    for h in "${HARNESSES[@]}"; do
        log="$work/logs/$h.$p.log"
        rc="$(cat "$work/logs/$h.$p.rc" 2>/dev/null || echo missing)"
        if [[ "$rc" != 0 ]] || grep -qE 'ERROR: AddressSanitizer|runtime error:|FUZZ FAILURE' "$log"; then
            echo "---- $h on $p: exit $rc; the same inputs again: FUZZ_SEED=$(cat "$work/logs/$h.$p.seed")" >&2
            report "$log"
            failed=1
        else
            echo "   $h on $p: $(grep -o 'mutate: .*' "$log" || echo done)"
        fi
    done
done
if ((failed)); then
    ls "$work/artifacts" >&2 || true
    die "a fuzz run failed (a Python-level failure writes its input to artifacts/ in the work directory: JPQR_SANITIZE_KEEP=1 keeps it)"
fi

# ---- the tests against the installed package, from a directory where no jpqr source is
mkdir -p "$work/t/tests"
tests=()
for t in "${TESTS[@]}"; do
    [[ -f "$ROOT/tests/$t" ]] && tests+=("tests/$t")
done
cp -r "$ROOT/tests/." "$work/t/tests/"
cat >"$work/t/pytest.ini" <<'EOF'
[pytest]
addopts = -p no:cacheprovider -p jpqr_sanitize_profile
xfail_strict = true
markers = cython: needs the compiled twin
EOF
# No deadlines: everything is several times slower under ASan.
cat >"$work/t/jpqr_sanitize_profile.py" <<'EOF'
from hypothesis import settings

settings.register_profile("sanitize", deadline=None)
settings.load_profile("sanitize")
EOF
say "pytest ${tests[*]}"
(
    cd "$work/t"
    "${san_env[@]}" "$VPY" -c 'import jpqr, sys; sys.exit(not jpqr.__file__.startswith(sys.argv[1]))' \
        "$work/venv" || die "pytest would not test the installed package"
    "${san_env[@]}" "$VPY" -m pytest -q -p no:randomly --rootdir "$work/t" "${tests[@]}" 2>&1 |
        tee "$work/pytest.log"
) || die "pytest failed"
if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$work/pytest.log"; then
    die "a sanitizer report in the tests"
fi
say "ok: $CC_KIND ASan+UBSan, CRC paths ${CRC_PATHS[*]}, $((SECONDS - started)) s"
