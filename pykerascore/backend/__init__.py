"""The only door to the native modules.

Loads scipy-openblas32's shared library by absolute path (RTLD_GLOBAL) so that `_core`, which
needs its symbols, resolves them in normal and editable installs alike; then imports `_core`.
Public modules use `pykerascore.backend.core`, never `pykerascore._core` directly.
"""

import ctypes
import os

import scipy_openblas32 as _openblas


def _load_openblas():
    lib_dir = _openblas.get_lib_dir()
    name = _openblas.get_library(fullname=True)
    return ctypes.CDLL(os.path.join(lib_dir, name), mode=ctypes.RTLD_GLOBAL)


_openblas_handle = _load_openblas()

try:
    from pykerascore import _core as core  # noqa: E402
except ImportError as e:  # pragma: no cover - depends on how the package was installed
    raise ImportError(
        f"pykerascore's native module _core could not be imported from {os.path.dirname(os.path.dirname(__file__))}. "
        "If that is the source checkout, it has no compiled extension: install the package (`pip install .` or the "
        "editable dev install in the README) and run from outside the source tree (e.g. `pytest`, not "
        "`python -m pytest`, from the repository root)."
    ) from e

__all__ = ["core"]
