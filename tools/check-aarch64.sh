#!/usr/bin/env bash
# aarch64 (issue 9, part 5): cross-compile the compiled twin for aarch64 against Debian 12's arm64
# Python 3.11, and run the kernel tests on it with Debian's arm64 python3.11 under qemu-aarch64
# (user-mode emulation), the compiled twin on its only aarch64 CRC path: the table.
#
#   bash tools/check-aarch64.sh [PYTEST ARGS...]     # ~3 min with its installs, ~2.5 min cached
#
# Needs Debian 12 (bookworm) and root for apt: it installs gcc-aarch64-linux-gnu and
# qemu-user-static where missing, adds the arm64 architecture to apt (lists only: nothing arm64 is
# installed), and unpacks Debian's arm64 python3.11 and the libraries it needs into a private
# sysroot. pytest, hypothesis and numpy come from PyPI as aarch64 wheels (pip --platform).
# Everything is built in a temporary directory; the sysroot and the wheels are cached in
# $JPQR_AARCH64_CACHE (default ~/.cache/jpqr-aarch64) for the next run. Exit status: pytest's.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${JPQR_AARCH64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jpqr-aarch64}"
PYTHON="${PYTHON:-python3}"
TRIPLET=aarch64-linux-gnu
# The kernel tests: stdlib, pytest, hypothesis and numpy only.
TESTS=(test_crc.py test_tlv.py test_differential.py test_fuzz_regressions.py test_batch.py
    test_vectors.py test_implementation.py test_fuzz_properties.py test_validate.py
    test_validate_properties.py test_validate_robustness.py test_hostile_objects.py)
# JPQR_AARCH64_TESTS="test_crc.py test_tlv.py ..." runs fewer (e.g. to save CI time).
[[ -z "${JPQR_AARCH64_TESTS:-}" ]] || read -r -a TESTS <<<"$JPQR_AARCH64_TESTS"
# Debian's arm64 python3.11 and what its interpreter and standard library load.
DEBS=(python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libpython3.11 libpython3.11-dev
    libc6 libgcc-s1 libstdc++6 zlib1g libexpat1 libffi8 libssl3 liblzma5 libbz2-1.0 libuuid1
    libsqlite3-0 libncursesw6 libtinfo6 libreadline8 libcrypt1 libdb5.3 libnsl2 libtirpc3
    libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1 libcom-err2)
started=$SECONDS
say() { echo "== aarch64 [$((SECONDS - started)) s]: $*"; }
die() {
    echo "aarch64: FAILED: $*" >&2
    exit 1
}
apt_install() {
    [[ "$(id -u)" == 0 ]] || die "need root to apt-get install $*"
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

# ---- the cross compiler and the emulator
command -v "$TRIPLET-gcc" >/dev/null || apt_install "gcc-$TRIPLET"
QEMU="$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)"
if [[ -z "$QEMU" ]]; then
    apt_install qemu-user-static
    QEMU="$(command -v qemu-aarch64-static)"
fi
say "$("$TRIPLET-gcc" --version | head -n 1); $("$QEMU" --version | head -n 1)"

# ---- a sysroot with Debian's arm64 python3.11 (unpacked, not installed)
SYSROOT="$CACHE/sysroot"
if [[ ! -x "$SYSROOT/usr/bin/python3.11" || ! -f "$SYSROOT/usr/include/python3.11/Python.h" ]]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        [[ "$(id -u)" == 0 ]] || die "need root for dpkg --add-architecture arm64"
        say "dpkg --add-architecture arm64"
        dpkg --add-architecture arm64
    fi
    if ! apt-cache show python3.11-minimal:arm64 >/dev/null 2>&1; then
        say "apt-get update (arm64 lists)"
        apt-get update -qq
    fi
    rm -rf "$CACHE/debs" "$SYSROOT"
    mkdir -p "$CACHE/debs" "$SYSROOT"
    say "apt-get download ${#DEBS[@]} arm64 packages"
    (cd "$CACHE/debs" && apt-get download -qq "${DEBS[@]/%/:arm64}")
    for deb in "$CACHE/debs"/*.deb; do
        dpkg-deb -x "$deb" "$SYSROOT"
    done
fi
[[ -f "$SYSROOT/usr/include/$TRIPLET/python3.11/pyconfig.h" ]] || die "no arm64 pyconfig.h in $SYSROOT"
work="$(mktemp -d "${TMPDIR:-/tmp}/jpqr-aarch64.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The arm64 Python, emulated, with the sysroot as the loader's root. A host script starts it and
# is its argv[0], so sys.executable is that script: tests that run `sys.executable` in a
# subprocess work without binfmt_misc (which a container seldom has).
mkdir -p "$work/bin"
cat >"$work/bin/python3.11" <<WRAPPER
#!/bin/sh
QEMU_LD_PREFIX='$SYSROOT' PYTHONHOME='$SYSROOT/usr' PYTHONDONTWRITEBYTECODE=1 \\
    exec '$QEMU' -L '$SYSROOT' -0 "\$0" '$SYSROOT/usr/bin/python3.11' "\$@"
WRAPPER
chmod +x "$work/bin/python3.11"
run_arm64() { "$work/bin/python3.11" "$@"; }
say "python: $(run_arm64 -c 'import platform, sys; print(platform.machine(), sys.version.split()[0], sys.executable)')"

# ---- pure-Python test dependencies, as aarch64 wheels for CPython 3.11
DEPS="$CACHE/site-deps"
if ! run_arm64 -c 'import pytest, hypothesis, numpy' 2>/dev/null; then
    if [[ ! -d "$DEPS/pytest" ]]; then
        say "pip install --target (aarch64 wheels): pytest hypothesis numpy"
        rm -rf "$DEPS"
        "$PYTHON" -m pip install --quiet --disable-pip-version-check --target "$DEPS" \
            --platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 \
            --implementation cp --python-version 3.11 --abi cp311 --only-binary=:all: \
            "pytest>=8" "hypothesis>=6.100" "numpy>=1.24"
    fi
fi

# ---- Cython on the host makes the C (it is the same for every platform), the cross gcc builds it
say "cythonize (host) and cross-compile"
"$PYTHON" -m venv "$work/host"
"$work/host/bin/python" -m pip install --quiet --disable-pip-version-check "Cython>=3.0"
mkdir -p "$work/site"
cp -r "$ROOT/src/jpqr" "$work/site/jpqr"
find "$work/site/jpqr" \( -name '*.so' -o -name '*.c' -o -name __pycache__ \) -prune -exec rm -rf {} +
# The same directives as setup.py's cythonize().
for pyx in "$work"/site/jpqr/*.pyx; do
    name="$(basename "$pyx" .pyx)"
    (cd "$work/site" && "$work/host/bin/cython" -3 -X binding=False -X boundscheck=False \
        -X wraparound=False --module-name "jpqr.$name" "jpqr/$name.pyx" -o "jpqr/$name.c")
    "$TRIPLET-gcc" -O2 -fPIC -shared -Wall -Wextra -Werror=implicit-function-declaration \
        -I"$SYSROOT/usr/include/python3.11" -I"$SYSROOT/usr/include" -I"$work/site/jpqr" \
        "$work/site/jpqr/$name.c" -o "$work/site/jpqr/$name.cpython-311-$TRIPLET.so" \
        2> >(tee "$work/$name.warnings" >&2)
    "$TRIPLET-readelf" -h "$work/site/jpqr/$name.cpython-311-$TRIPLET.so" | grep -q AArch64 ||
        die "$name: not an aarch64 object"
    rm "$work/site/jpqr/$name.c"
done

# ---- the tests, against the cross-built package, under emulation
mkdir -p "$work/t/tests"
cp -r "$ROOT/tests/." "$work/t/tests/"
tests=()
for t in "${TESTS[@]}"; do
    [[ -f "$work/t/tests/$t" ]] && tests+=("tests/$t")
done
cat >"$work/t/pytest.ini" <<'EOF'
[pytest]
addopts = -p no:cacheprovider -p jpqr_emulated_profile
xfail_strict = true
markers = cython: needs the compiled twin
EOF
cat >"$work/t/jpqr_emulated_profile.py" <<'EOF'
import os

from hypothesis import settings

# emulation is ~10x slower: no deadline; JPQR_AARCH64_EXAMPLES caps the examples of a test
examples = int(os.environ.get("JPQR_AARCH64_EXAMPLES", "100"))
settings.register_profile("emulated", deadline=None, max_examples=examples)
settings.load_profile("emulated")
EOF
cd "$work/t"
export PYTHONPATH="$work/site:$DEPS:$work/t"
run_arm64 - <<'EOF' || die "the package under test is not the aarch64 compiled twin"
import platform, sys
import jpqr
from jpqr import _crc, _tlv
assert platform.machine() == "aarch64", platform.machine()
assert jpqr.IMPLEMENTATION == "cython", jpqr.IMPLEMENTATION
assert "/site/jpqr/" in jpqr.__file__, jpqr.__file__  # the cross-built copy, not a source tree
print(f"jpqr {jpqr.__version__} from {jpqr.__file__}: {jpqr.IMPLEMENTATION}, CRC path {_crc.CRC_PATH}")
for path in _crc.CRC_PATHS[1:]:
    try:
        _crc._use_path(path)
    except ValueError:
        continue
    sys.exit(f"the {path} path should not exist on aarch64")
EOF
say "pytest ${tests[*]} $*"
rc=0
# test_issue_codes_are_documented reads the source tree (src/, docs/), not the package under test.
run_arm64 -m pytest -q -rs --rootdir "$work/t" "${tests[@]}" \
    --deselect tests/test_validate.py::test_issue_codes_are_documented "$@" || rc=$?
say "done in $((SECONDS - started)) s (pytest exit $rc)"
exit "$rc"
