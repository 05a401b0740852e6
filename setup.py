"""Declares the Cython extensions only; all metadata is in pyproject.toml.

The compiled twins are optional: where they cannot be built the pure-Python twin serves, and the
build says so loudly. Under CI (``CI`` set) or with ``JPQR_REQUIRE_EXTENSIONS=1`` a failed build is
an error, so CI always proves the fast path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
PYX = sorted((HERE / "src" / "jpqr").glob("*.pyx"))
REQUIRE = bool(os.environ.get("CI") or os.environ.get("JPQR_REQUIRE_EXTENSIONS"))


def _banner(message: str) -> None:
    line = "*" * 78
    print(f"\n{line}\n{message}\n{line}\n", file=sys.stderr)


class OptionalBuildExt(build_ext):
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
        _banner(
            f"jpqr: the Cython extensions could not be built ({exc}).\n"
            "jpqr will work in pure-Python mode, several times slower."
        )


def extensions() -> list:  # type: ignore[type-arg]
    if os.environ.get("JPQR_NO_EXTENSIONS") or not PYX:
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        if REQUIRE:
            raise
        _banner("jpqr: Cython is not installed; building the pure-Python twin only.")
        return []
    from setuptools import Extension

    # The hand-written C kernels the .pyx include: a change to them must rebuild the extensions.
    headers = [str(path.relative_to(HERE)) for path in sorted(PYX[0].parent.glob("*.h"))]
    headers += [str(path.relative_to(HERE)) for path in sorted(PYX[0].parent.glob("*.pxd"))]
    modules = [
        Extension(
            f"jpqr.{path.stem}",
            [str(path.relative_to(HERE))],
            depends=headers,
            optional=not REQUIRE,
        )
        for path in PYX
    ]
    built = cythonize(
        modules,
        language_level=3,
        compiler_directives={"binding": False, "boundscheck": False, "wraparound": False},
    )
    for ext in built:  # cythonize() drops optional=: set it again
        ext.optional = not REQUIRE
    return built


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
