#!/usr/bin/env bash
# Build the documentation site (Sphinx + MyST, docs/conf.py) with every warning an error, then
# check that its API reference lists every public name: each name of the __all__ of jpqr and of
# every public module is in the site's inventory (objects.inv), where docs/conf.py indexes it.
# Installs nothing: it needs the docs extra (python -m pip install -e ".[docs]").
#
#   tools/check-docs.sh [OUTPUT_DIR]     (default: build/docs-html)
#
# The examples of the pages run as doctests with the test suite (pytest collects docs/*.md), and
# the typing of a user's script (mypy --strict, basedpyright) in tests/test_signatures.py.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/docs-html}"
python="${PYTHON:-python}"

rm -rf "$out"
# -W: warnings are errors; --keep-going: report them all before failing; -E: no stale cache.
"$python" -m sphinx -W --keep-going -E -q -b html docs "$out"

"$python" - "$out" <<'PY'
import sys
from pathlib import Path

from sphinx.util.inventory import InventoryFile

sys.path.insert(0, "docs")
import conf  # the site's own list of public modules and where each name is indexed

out = Path(sys.argv[1])
with open(out / "objects.inv", "rb") as stream:
    inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
indexed = {name for entries in inventory.values() for name in entries}
names = conf.public_names()
owners = conf.home(names)
missing = []
count = 0
for module, members in names.items():
    if module not in indexed:
        missing.append(module)
    for attr, value in members:
        if isinstance(value, conf.ModuleType):
            continue
        count += 1
        where = f"{owners[(attr, id(value))]}.{attr}"
        if where not in indexed:
            missing.append(f"{module}.{attr} (indexed as {where})")
if missing:
    sys.exit("the API reference lacks: " + ", ".join(missing))
print(f"docs: {out}/index.html; the API reference lists {count} names of {len(names)} modules")
PY
