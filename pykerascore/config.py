"""Global configuration: CPU thread count, device placement, float type and epsilon.

Device placement is decided here (`set_device` / `get_device`); the CUDA extension is only
loaded when a device is asked for, so `import pykerascore` never needs a GPU or libcudart. The
default is "cpu" and `set_device("cuda")` stays refused until the engine's device path (Program on
a GPU) has been verified on one; until then tests reach it through the private `_use_device`.
The CUDA op kernels are also reachable through `pykerascore.backend.cuda.load().run_op`.
Must not import trainers or models.
"""

import re
import threading

from pykerascore.backend import core
from pykerascore.backend import cuda as _cuda_loader

_DEVICE_RE = re.compile(r"^(cpu|cuda)(?::(\d+))?$")
_lock = threading.Lock()
_device = "cpu"
_tf32 = False
# False until the Program's device path has passed tests/cuda on a GPU. While False,
# set_device("cuda...") refuses (after the usual checks) instead of training on unverified code.
_ENGINE_HAS_CUDA_PATH = False
_NO_ENGINE_PATH = (
    "the training engine's CUDA device path has not been verified on a GPU yet (fit/evaluate/predict run on "
    "the CPU); the CUDA op kernels exist for testing through pykerascore.backend.cuda.load().run_op"
)


def set_num_threads(n):
    """CPU threads of the engine's pool: large GEMMs are split into row blocks over it (OpenBLAS
    itself stays single-threaded), and so are large optimizer updates."""
    core.set_num_threads(int(n))


def get_num_threads():
    return core.get_num_threads()


def epsilon():
    return 1e-7


def floatx():
    return "float32"


def _cuda_unavailable_reason():
    """Why no CUDA device can be used, or None when one can."""
    if not _cuda_loader.is_built():
        return (
            "pykerascore was built without CUDA support (no pykerascore._cuda); rebuild with nvcc and the "
            "nvidia-cublas wheel installed, e.g. pip install nvidia-cublas && PYKERASCORE_CUDA=ON pip install "
            "--no-build-isolation ."
        )
    try:
        count = _cuda_loader.load().device_count()
    except Exception as e:  # built but not loadable (cuBLAS missing, driver error)
        return f"pykerascore._cuda could not be loaded: {e}"
    if count <= 0:
        return "no CUDA device is visible (no NVIDIA driver, no GPU, or CUDA_VISIBLE_DEVICES hides them)"
    return None


def _parse(device):
    if not isinstance(device, str):
        raise TypeError(f"set_device: device must be a string such as 'cpu', 'cuda' or 'cuda:0', got {device!r}")
    m = _DEVICE_RE.match(device.strip().lower())
    if m is None:
        raise ValueError(f"set_device: unknown device {device!r}; expected 'cpu', 'cuda' or 'cuda:N'")
    kind, index = m.group(1), m.group(2)
    if kind == "cpu":
        if index not in (None, "0"):
            raise ValueError(f"set_device: there is only one CPU device ('cpu'), got {device!r}")
        return "cpu", None
    return "cuda", int(index) if index is not None else 0


def set_device(device):
    """Place models on `device`: "cpu", "cuda" (= "cuda:0") or "cuda:N".

    Raises RuntimeError saying why when CUDA is asked for but cannot be used (today always: the
    engine's CUDA path is not verified yet), ValueError for an unknown name or a device index that
    is not visible. Programs built afterwards run there; those already built keep their device.
    """
    _place(device, gated=True)


def _use_device(device):
    """Like set_device, without the `_ENGINE_HAS_CUDA_PATH` gate: for tests of the device path."""
    _place(device, gated=False)


def _place(device, gated):
    global _device
    kind, index = _parse(device)
    with _lock:
        if kind == "cpu":
            core.set_program_device("cpu")
            _device = "cpu"
            return
        reason = _cuda_unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"set_device({device!r}): CUDA cannot be used: {reason}")
        module = _cuda_loader.load()
        count = module.device_count()
        if index >= count:
            raise ValueError(f"set_device({device!r}): device index {index} is out of range; {count} CUDA device(s) visible")
        if gated and not _ENGINE_HAS_CUDA_PATH:
            raise RuntimeError(f"set_device({device!r}): CUDA cannot be used: {_NO_ENGINE_PATH}")
        module.set_device(index)
        module.set_tf32(_tf32)
        core.set_program_device("cuda", index)
        _device = f"cuda:{index}"


def get_device():
    """The device models run on: "cpu" unless set_device chose a CUDA device."""
    with _lock:
        return _device


def enable_tf32(enabled=True):
    """Allow TF32 tensor-core math in float32 GEMMs on the GPU (faster, ~1e-3 relative error).

    Off by default so GPU results match the CPU backend to 1e-5. Has no effect on the CPU.
    """
    global _tf32
    _tf32 = bool(enabled)
    if _cuda_loader.is_available():
        _cuda_loader.load().set_tf32(_tf32)


def tf32_enabled():
    return _tf32


def set_resident_data_fraction(fraction):
    """Share (0..1, default 0.5) of a GPU's free memory that a fit's arrays may take to be uploaded
    once and batched on the device; larger data sets are streamed batch by batch instead."""
    fraction = float(fraction)
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"set_resident_data_fraction: fraction must be in [0, 1], got {fraction}")
    core.set_resident_data_fraction(fraction)


def get_resident_data_fraction():
    return core.resident_data_fraction()
