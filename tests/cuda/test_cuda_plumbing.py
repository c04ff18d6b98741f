"""CUDA plumbing: the lazy loader, the no-CUDA stub, and the first kernel (bias + ReLU).

GPU tests are marked `cuda` and skip unless `pykerascore.backend.cuda.is_available()`; the
loader/stub tests run everywhere. Must not import `pykerascore._cuda` directly — always through
`pykerascore.backend.cuda.load()`.
"""

import importlib
import subprocess
import sys

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")
no_cuda = importlib.import_module("pykerascore.backend.no_cuda")


def bias_relu_reference(x, b):
    return np.maximum(x + b, np.float32(0))


# --- everywhere --------------------------------------------------------------------------------


def test_is_available_returns_bool():
    assert isinstance(cuda_backend.is_available(), bool)
    assert isinstance(cuda_backend.is_built(), bool)


def test_importing_the_loader_does_not_import_the_extension(tmp_path):
    # Run outside the source tree so the installed package is the one imported.
    code = "import sys, pykerascore.backend.cuda; sys.exit('pykerascore._cuda' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=tmp_path).returncode == 0


def test_stub_has_no_devices_and_explains_how_to_rebuild():
    assert no_cuda.device_count() == 0
    for fn, args in [(no_cuda.bias_relu, (None, None)), (no_cuda.runtime_version, ()),
                     (no_cuda.cublas_version, ())]:
        with pytest.raises(RuntimeError, match="built without CUDA support"):
            fn(*args)


def test_load_returns_stub_when_extension_not_built():
    if cuda_backend.is_built():
        pytest.skip("pykerascore._cuda is built")
    module = cuda_backend.load()
    assert module is no_cuda
    assert cuda_backend.is_available() is False
    with pytest.raises(RuntimeError, match="built without CUDA support"):
        module.bias_relu(np.zeros((2, 3), np.float32), np.zeros(3, np.float32))


# --- GPU ---------------------------------------------------------------------------------------


@pytest.mark.cuda
def test_versions(cuda):
    assert cuda.device_count() >= 1
    assert cuda.runtime_version() >= 12000
    assert cuda.cublas_version() >= 120000


@pytest.mark.cuda
@pytest.mark.parametrize(
    "rows, cols",
    [(1, 1), (3, 5), (7, 4), (64, 128), (1000, 3), (257, 33), (0, 8), (5, 0), (0, 0),
     (4100, 4097)],  # the last one exceeds one grid (65535 blocks x 256) on the scalar path
)
def test_bias_relu_matches_numpy(cuda, rows, cols):
    rng = np.random.default_rng(rows * 10007 + cols)
    x = rng.standard_normal((rows, cols), dtype=np.float32)
    b = rng.standard_normal(cols, dtype=np.float32)
    y = cuda.bias_relu(x, b)
    assert y.shape == (rows, cols) and y.dtype == np.float32
    np.testing.assert_array_equal(y, bias_relu_reference(x, b))


@pytest.mark.cuda
def test_bias_relu_vectorised_path_past_one_grid(cuda):
    x = np.linspace(-1, 1, 4096 * 16400, dtype=np.float32).reshape(4096, 16400)
    b = np.linspace(-0.5, 0.5, 16400, dtype=np.float32)
    np.testing.assert_array_equal(cuda.bias_relu(x, b), bias_relu_reference(x, b))


@pytest.mark.cuda
def test_bias_relu_propagates_nan_and_accepts_strided_input(cuda):
    x = np.array([[np.nan, -1.0, 2.0, -3.0, 4.0, 0.5]], np.float32)
    b = np.zeros(3, np.float32)
    y = cuda.bias_relu(x[:, ::2], b)  # non-contiguous view is copied to C order
    np.testing.assert_array_equal(y, np.array([[np.nan, 2.0, 4.0]], np.float32))


@pytest.mark.cuda
def test_bias_relu_rejects_mismatched_bias(cuda):
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"\(5,\).*\(3, 4\)"):
        cuda.bias_relu(x, np.zeros(5, np.float32))


@pytest.mark.cuda
def test_bias_relu_rejects_wrong_rank(cuda):
    with pytest.raises(ValueError, match="rank"):
        cuda.bias_relu(np.zeros(4, np.float32), np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="rank"):
        cuda.bias_relu(np.zeros((2, 4), np.float32), np.zeros((1, 4), np.float32))
