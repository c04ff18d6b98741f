"""Stand-in for `pykerascore._cuda` in builds without CUDA (returned by `cuda.load()`).

Same functions as the extension: `device_count()` is 0 and everything else raises RuntimeError
saying how to rebuild. Must stay dependency-free: no `_core`, no NumPy, no other pykerascore.
"""

__all__ = ["device_count", "runtime_version", "cublas_version", "bias_relu"]

_MESSAGE = (
    "pykerascore was built without CUDA support; rebuild with nvcc and the nvidia-cublas wheel "
    "installed, e.g. pip install nvidia-cublas && PYKERASCORE_CUDA=ON pip install --no-build-isolation ."
)


def _unavailable():
    raise RuntimeError(_MESSAGE)


def device_count():
    return 0


def runtime_version():
    _unavailable()


def cublas_version():
    _unavailable()


def bias_relu(x, b):
    _unavailable()
