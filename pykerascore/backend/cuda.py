"""Lazy loader for the optional CUDA extension `pykerascore._cuda`.

Importing this module loads nothing native: only `load()` imports `_cuda`, after preloading
libcublasLt/libcublas from the `nvidia` wheel by absolute path (the extension has no rpath to
them). Without the extension, `load()` returns the `no_cuda` stub. Must not import
`pykerascore._core` or anything above `backend/`.
"""

import ctypes
import importlib
import importlib.util
import os
import threading

__all__ = ["is_built", "is_available", "load"]

_EXTENSION = __name__.split(".")[0] + "._cuda"
# Wheel layouts: nvidia/cu13/lib (nvidia-cublas, CUDA 13), nvidia/cublas/lib (nvidia-cublas-cu12).
# The first complete pair wins; libcublasLt first because libcublas needs it.
_WHEEL_SUBDIRS = ("cu13", "cu12", "cublas")
_SONAME_MAJORS = ("13", "12")

_lock = threading.Lock()
_module = None
_preloaded = None


def is_built():
    """True if the `_cuda` extension file is present (does not import it)."""
    try:
        return importlib.util.find_spec(_EXTENSION) is not None
    except (ImportError, ValueError):
        return False


def _nvidia_dirs():
    try:
        spec = importlib.util.find_spec("nvidia")  # a namespace package: nothing is executed
    except (ImportError, ValueError):
        return []
    return list(spec.submodule_search_locations or []) if spec is not None else []


def _preload_cublas():
    """Load libcublasLt + libcublas from the nvidia wheel with RTLD_GLOBAL; returns their paths.

    Returns [] when no wheel is installed: the system loader then has to find them
    (LD_LIBRARY_PATH, ld.so.conf), and importing `_cuda` reports what is missing.
    """
    for root in _nvidia_dirs():
        for sub in _WHEEL_SUBDIRS:
            for major in _SONAME_MAJORS:
                libdir = os.path.join(root, sub, "lib")
                paths = [os.path.join(libdir, f"lib{name}.so.{major}") for name in ("cublasLt", "cublas")]
                if not all(os.path.isfile(p) for p in paths):
                    continue
                try:
                    for p in paths:
                        ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
                except OSError:
                    continue
                return paths
    return []


def load():
    """Return the `_cuda` module (importing it once), or the `no_cuda` stub if it was not built.

    Raises ImportError if `_cuda` was built but cannot be loaded (e.g. cuBLAS missing).
    """
    global _module, _preloaded
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            if not is_built():
                from . import no_cuda

                _module = no_cuda
            else:
                if _preloaded is None:
                    _preloaded = _preload_cublas()
                try:
                    _module = importlib.import_module(_EXTENSION)
                except ImportError as e:
                    raise ImportError(
                        f"{_EXTENSION} is built but could not be loaded: {e}. It needs the cuBLAS "
                        "it was built against, e.g. `pip install nvidia-cublas`."
                    ) from e
    return _module


def is_available():
    """True if `_cuda` is built, loads, and sees at least one GPU. Never raises."""
    try:
        return bool(is_built() and load().device_count() > 0)
    except Exception:
        return False
