#!/usr/bin/env bash
# The C of the compiled twin with every compiler at hand (issue 9, part 5): the two extensions,
# generated once by Cython, compiled with gcc and clang (and aarch64-linux-gnu-gcc where it and
# Debian's arm64 Python headers are there, see tools/check-aarch64.sh) at -O2 -Wall -Wextra.
# A warning in the hand-written headers (src/jpqr/*.h) fails, except the known harmless kinds
# (-Wunused-parameter: jpqr_build's `end`; -Wunused-function, and clang's
# -Wunneeded-internal-declaration for the same thing: a module that does not call every helper
# of a header it includes, as _tlv, _rules and _ber do); warnings in Cython's generated code are
# shown, not judged.
#
#   bash tools/check-compilers.sh           # compile only, ~30 s
#   bash tools/check-compilers.sh --suite   # and the whole test suite on a clang build, ~4 min
#
# --suite installs a copy of this tree (editable, built with CC=clang) into a temporary venv and
# runs `python -m pytest` there: the same suite as .ci/run, on the clang build.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
ARM64_SYSROOT="${JPQR_AARCH64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jpqr-aarch64}/sysroot"
WARN=(-Wall -Wextra)
# Harmless and known (see above); anything else in the headers is an error.
HEADER_OK='\[-Wunused-parameter\]|\[-Wunused-function\]|\[-Wunneeded-internal-declaration\]'
started=$SECONDS
say() { echo "== compilers [$((SECONDS - started)) s]: $*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/jpqr-compilers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m venv "$work/venv"
VPY="$work/venv/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check "setuptools>=69" "Cython>=3.0"

say "cythonize"
mkdir -p "$work/gen/jpqr"
cp "$ROOT"/src/jpqr/*.pyx "$ROOT"/src/jpqr/*.pxd "$ROOT"/src/jpqr/*.h "$work/gen/jpqr/"
touch "$work/gen/jpqr/__init__.py" # cimport resolves jpqr._ccore in the package
for pyx in "$work"/gen/jpqr/*.pyx; do # the directives of setup.py's cythonize()
    name="$(basename "$pyx" .pyx)"
    (cd "$work/gen" && "$work/venv/bin/cython" -3 -X binding=False -X boundscheck=False \
        -X wraparound=False --module-name "jpqr.$name" "jpqr/$name.pyx" -o "jpqr/$name.c")
done

PYINC="$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
compilers=()
for cc in gcc clang; do
    command -v "$cc" >/dev/null && compilers+=("$cc:-I$PYINC")
done
if command -v aarch64-linux-gnu-gcc >/dev/null && [[ -f "$ARM64_SYSROOT/usr/include/python3.11/Python.h" ]]; then
    compilers+=("aarch64-linux-gnu-gcc:-I$ARM64_SYSROOT/usr/include/python3.11 -I$ARM64_SYSROOT/usr/include")
fi
failed=0
for entry in "${compilers[@]}"; do
    cc="${entry%%:*}"
    read -r -a includes <<<"${entry#*:}"
    for c in "$work"/gen/jpqr/*.c; do
        name="$(basename "$c" .c)"
        log="$work/$cc.$name.log"
        if ! "$cc" -O2 -fPIC -shared "${WARN[@]}" "${includes[@]}" -I"$work/gen/jpqr" "$c" \
            -o "$work/$cc.$name.so" 2>"$log"; then
            cat "$log" >&2
            echo "FAILED: $cc could not compile $name" >&2
            failed=1
            continue
        fi
        total="$(grep -c 'warning:' "$log" || true)"
        ours="$(grep 'warning:' "$log" | grep -E '(^|/)_[a-z0-9_]+\.h:' || true)"
        bad="$(grep -vE "$HEADER_OK" <<<"$ours" | grep . || true)"
        say "$("$cc" --version | head -n 1 | cut -c 1-60): $name: $total warnings ($(grep -c . <<<"$ours" || true) of them in the headers)"
        [[ -z "$ours" ]] || sed 's/^/     /' <<<"$ours" | sed "s|$work/gen/||"
        if [[ -n "$bad" ]]; then
            echo "FAILED: $cc: new warnings in the headers:" >&2
            echo "$bad" >&2
            failed=1
        fi
    done
done
((failed == 0)) || exit 1

if [[ "${1:-}" == --suite ]]; then
    command -v clang >/dev/null || { echo "FAILED: --suite needs clang" >&2; exit 1; }
    say "the whole suite on a clang build (a copy of the tree, editable install with CC=clang)"
    mkdir "$work/tree"
    tar -C "$ROOT" --exclude=.git --exclude=build --exclude=dist --exclude='*.egg-info' \
        --exclude='*.so' --exclude='__pycache__' --exclude='.hypothesis' -cf - . | tar -C "$work/tree" -xf -
    find "$work/tree/src" -name '*.c' -delete
    (cd "$work/tree" && CC=clang LDSHARED="clang -shared" JPQR_REQUIRE_EXTENSIONS=1 \
        "$VPY" -m pip install --quiet --disable-pip-version-check --no-build-isolation -e ".[test]")
    for so in "$work"/tree/src/jpqr/*.so; do
        readelf -p .comment "$so" | grep -q clang || { echo "FAILED: $so is not clang's" >&2; exit 1; }
    done
    (cd "$work/tree" && "$VPY" -c 'import jpqr, sys; sys.exit(jpqr.IMPLEMENTATION != "cython")' &&
        "$VPY" -m pytest -q)
fi
say "ok"
