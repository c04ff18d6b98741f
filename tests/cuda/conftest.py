"""Fixtures shared by the CUDA tests.

`built`: the `_cuda` module, for tests that need only the module (registration, the CPU side of
the run_op harness). They skip when `_cuda` was not built, and also when it was built but cannot
be loaded here, e.g. in a fresh virtualenv without the nvidia-cublas wheel. `cuda`: the module on
a machine with a visible GPU; skips otherwise.
"""

import pytest

from pykerascore.backend import cuda as cuda_backend


@pytest.fixture
def built():
    if not cuda_backend.is_built():
        pytest.skip("pykerascore was built without _cuda")
    try:
        return cuda_backend.load()
    except ImportError as e:
        pytest.skip(f"_cuda is built but cannot be loaded here: {e}")


@pytest.fixture
def cuda():
    if not cuda_backend.is_available():
        pytest.skip("no CUDA device, or pykerascore was built without _cuda")
    return cuda_backend.load()
