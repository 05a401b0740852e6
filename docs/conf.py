"""Sphinx configuration of the jpqr documentation site (``tools/check-docs.sh`` builds it).

The pages are the Markdown files of this folder (MyST). The API reference is generated when the
site is built, from the docstrings and signatures of the installed package: ``api.md`` holds a
marker that :func:`api_reference` replaces with a section per public module, found by walking the
package, listing every name of its ``__all__``: a new module or name appears without an edit
here, and no text is copied.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from types import ModuleType
from typing import Any

import jpqr

project = "jpqr"
author = "jpqr developers"
copyright = "jpqr developers, MIT licence"
release = jpqr.__version__
version = release

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_default_options = {"show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
# The pages' code blocks are sh, text, json and python; the ones that run are run by pytest.
highlight_language = "text"

html_theme = "alabaster"
html_title = f"jpqr {release}"

API_MARKER = "<!-- api-reference: generated from the package at build time -->"


def public_modules() -> list[str]:
    """``jpqr`` and its submodules that have no part starting with ``_``, in name order."""
    names = ["jpqr"]
    for info in pkgutil.walk_packages(jpqr.__path__, "jpqr."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts):
            continue
        if parts[1] == "ocpp" and sys.version_info < (3, 11):
            continue  # the ocpp package needs Python 3.11
        names.append(info.name)
    return sorted(names)


def public_names() -> dict[str, list[tuple[str, object]]]:
    """The names of each public module's ``__all__`` with their objects (the lazy ones loaded:
    jpqr loads its upper layers on first use, and autodoc sees only what is loaded)."""
    names = {}
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        names[module_name] = [
            (attr, getattr(module, attr)) for attr in getattr(module, "__all__", ())
        ]
    return names


def home(names: dict[str, list[tuple[str, object]]]) -> dict[tuple[str, int], str]:
    """Where each object is indexed: ``jpqr`` for what it re-exports, else the module that
    defines it (when it lists it), else the first module that lists it. Its other entries are
    kept out of the index, so that a reference to it resolves to one place."""
    owners: dict[tuple[str, int], str] = {}
    for module_name, members in names.items():
        for attr, value in members:
            key = (attr, id(value))
            defined_in = getattr(value, "__module__", None)
            if module_name == "jpqr" or defined_in == module_name:
                owners[key] = module_name
            else:
                owners.setdefault(key, module_name)
    for attr, value in names.get("jpqr", []):
        owners[(attr, id(value))] = "jpqr"
    return owners


def _directive(module_name: str, attr: str, value: object, indexed: bool) -> str:
    if isinstance(value, type):
        kind, options = "autoclass", ["members", "undoc-members", "show-inheritance"]
    elif callable(value):
        kind, options = "autofunction", []
    else:
        kind, options = "autodata", []
    if not indexed:
        options.append("no-index")
    lines = [f".. {kind}:: {module_name}.{attr}", *(f"   :{option}:" for option in options)]
    return "\n".join(lines)


def api_reference() -> str:
    """One section per public module: its docstring, then every name of its ``__all__`` with
    its signature and docstring."""
    names = public_names()
    owners = home(names)
    blocks = []
    for module_name, members in names.items():
        directives = [f".. automodule:: {module_name}\n   :no-members:"]
        for attr, value in members:
            if isinstance(value, ModuleType):
                continue  # a public submodule: it has its own section
            indexed = owners[(attr, id(value))] == module_name
            directives.append(_directive(module_name, attr, value, indexed))
        body = "\n\n".join(directives)
        blocks.append(f"## `{module_name}`\n\n```{{eval-rst}}\n{body}\n```\n")
    return "\n".join(blocks)


def _fill_api(app: Any, docname: str, source: list[str]) -> None:
    if API_MARKER in source[0]:
        source[0] = source[0].replace(API_MARKER, api_reference())


def _drop_type_docstrings(
    app: Any, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    """A constant with no doc comment of its own would show the docstring of its type (dict's,
    frozenset's): the reference shows its name and type, not that."""
    if what in ("data", "attribute") and lines:
        own = type(obj).__doc__
        if isinstance(own, str) and "\n".join(lines).strip() == inspect.cleandoc(own).strip():
            lines.clear()


def setup(app: Any) -> None:
    from pygments.lexers.special import TextLexer

    # ```mermaid diagrams (docs/ocpp.md) are drawn by GitHub; the site shows their source.
    app.add_lexer("mermaid", TextLexer)
    app.connect("source-read", _fill_api)
    app.connect("autodoc-process-docstring", _drop_type_docstrings)
