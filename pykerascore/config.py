"""Global configuration: thread count of the CPU backend."""

from pykerascore.backend import core


def set_num_threads(n):
    """Threads used by the CPU backend's GEMM (and later, element-wise kernels)."""
    core.set_num_threads(int(n))


def get_num_threads():
    return core.get_num_threads()


def epsilon():
    return 1e-7


def floatx():
    return "float32"
