"""Stand-in for `pykerascore._cuda` in builds without CUDA (returned by `cuda.load()`).

Same functions as the extension: `device_count()` is 0 and everything else raises RuntimeError
saying how to rebuild. Must stay dependency-free: no `_core`, no NumPy, no other pykerascore.
"""

__all__ = [
    "device_count", "runtime_version", "cublas_version", "bias_relu", "cuda_ops", "run_op", "set_device",
    "current_device", "synchronize", "fused_update", "set_tf32", "tf32_enabled", "allocator_stats", "empty_cache",
    "gather_rows",
]

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


def cuda_ops():
    return []


def run_op(name, inputs, attrs=None, device=0, iteration=0):
    _unavailable()


def fused_update(rule, scalars, params, grads, slots, spans, accumulators=None, ema=None, device=0):
    _unavailable()


def gather_rows(src, rows, device=0):
    _unavailable()


def set_device(index):
    _unavailable()


def current_device():
    _unavailable()


def synchronize(device):
    _unavailable()


def set_tf32(enabled):
    _unavailable()


def tf32_enabled():
    return False


def allocator_stats(device):
    _unavailable()


def empty_cache(device=-1):
    _unavailable()
