"""Declares the Cython extensions only; all metadata is in pyproject.toml.

The compiled twin is optional: where it cannot be built the pure-Python twin serves, and the
build says so loudly (and the wheel is tagged ``py3-none-any``, so pip's "Created wheel" line
shows it too). With ``JPQR_REQUIRE_EXTENSIONS=1`` a failed build is an error, so this project's
CI (.ci/run sets it) always proves the fast path. Not ``CI`` itself: every CI service sets it, and
a downstream project's CI that installs jpqr from the sdist without a compiler must get the
fallback, not a failed install. ``JPQR_NO_EXTENSIONS=1`` builds the pure twin on purpose.
"""

from __future__ import annotations

import os
import platform
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
PACKAGE = HERE / "src" / "jpqr"
PYX = sorted(PACKAGE.glob("*.pyx"))
REQUIRE = bool(os.environ.get("JPQR_REQUIRE_EXTENSIONS"))
PURE_FALLBACK = "jpqr will work in pure-Python mode, several times slower."


def _banner(message: str) -> None:
    line = "*" * 78
    print(f"\n{line}\n{message}\n{line}\n", file=sys.stderr)


def _cannot_build(reason: str) -> list:  # type: ignore[type-arg]
    """No extensions: an error where the build must be compiled, else a loud fallback."""
    if REQUIRE:
        raise SystemExit(f"jpqr: {reason} (the compiled twin is required here)")
    _banner(f"jpqr: {reason}.\n{PURE_FALLBACK}")
    return []


class OptionalBuildExt(build_ext):  # type: ignore[misc]  # setuptools ships no types
    """Fall back to the pure twin when the compiler fails, unless the build must be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            self._fallback(exc)

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fallback(exc)

    def _fallback(self, exc: Exception) -> None:
        if REQUIRE:
            raise
        _banner(f"jpqr: the Cython extensions could not be built ({exc}).\n{PURE_FALLBACK}")


def _compiler_works() -> str | None:
    """Why a C extension cannot be compiled here, or None when a probe compiles.

    Probed before setup() so that a machine without a compiler gets a wheel tagged as pure
    Python (``py3-none-any``), not a platform wheel that holds no extension."""
    try:  # setuptools' own copy of distutils: not a public API, so a move must not break builds
        from setuptools._distutils.ccompiler import new_compiler
        from setuptools._distutils.sysconfig import customize_compiler
    except ImportError:
        return None  # no probe: build_ext's own fallback still catches a failing compiler

    compiler = new_compiler()
    customize_compiler(compiler)
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "probe.c"
        probe.write_text("#include <Python.h>\nint jpqr_probe(void) { return 0; }\n")
        try:
            compiler.compile(
                [str(probe)], output_dir=scratch, include_dirs=[sysconfig.get_paths()["include"]]
            )
        except Exception as exc:
            return f"no working C compiler ({exc})"
    return None


def _link_args() -> list[str]:
    # Release wheels carry no debug info (the _tlv module is 1.6 MB with it, most of it DWARF).
    # A build asked for with -g (sanitizers, debugging: see fuzz/README.md) keeps it.
    if sys.platform.startswith("linux") and "-g" not in os.environ.get("CFLAGS", "").split():
        return ["-Wl,--strip-debug"]
    return []


def extensions() -> list:  # type: ignore[type-arg]
    if os.environ.get("JPQR_NO_EXTENSIONS"):
        return []
    if platform.python_implementation() != "CPython":
        return []  # the compiled twin is CPython's C API; jpqr._kernels uses the pure one elsewhere
    if not PYX:
        return _cannot_build("the Cython sources (src/jpqr/*.pyx) are missing from this tree")
    try:
        from Cython.Build import cythonize
    except ImportError:
        return _cannot_build("Cython is not installed")
    unusable = None if REQUIRE else _compiler_works()
    if unusable:
        return _cannot_build(unusable)
    from setuptools import Extension

    # The hand-written C kernels the .pyx include: a change to them must rebuild the extensions.
    headers = [str(path.relative_to(HERE)) for path in sorted(PACKAGE.glob("*.h"))]
    headers += [str(path.relative_to(HERE)) for path in sorted(PACKAGE.glob("*.pxd"))]
    modules = [
        Extension(
            f"jpqr.{path.stem}",
            [str(path.relative_to(HERE))],
            depends=headers,
            extra_link_args=_link_args(),
            optional=not REQUIRE,
        )
        for path in PYX
    ]
    built: list[Any] = cythonize(
        modules,
        language_level=3,
        # embedsignature in the "clinic" format gives the compiled functions __text_signature__,
        # so inspect.signature and help() show their parameters (tests/test_signatures.py).
        compiler_directives={
            "binding": False,
            "boundscheck": False,
            "wraparound": False,
            "embedsignature": True,
            "embedsignature.format": "clinic",
        },
    )
    for ext in built:  # cythonize() drops optional=: set it again
        ext.optional = not REQUIRE
    return built


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
