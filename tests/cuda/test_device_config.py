"""Device placement (`pykerascore.config.set_device/get_device/enable_tf32`) and the no-CUDA
stub: the CPU-side behaviour runs everywhere; the GPU side is marked `cuda`. Each test restores
the module's device choice so tests stay independent.
"""

import importlib

import pytest

config = importlib.import_module("pykerascore.config")
cuda_backend = importlib.import_module("pykerascore.backend.cuda")
no_cuda = importlib.import_module("pykerascore.backend.no_cuda")


@pytest.fixture(autouse=True)
def _restore_device():
    saved_device, saved_tf32 = config._device, config._tf32
    yield
    config._device, config._tf32 = saved_device, saved_tf32
    config.core.set_program_device("cpu")


def test_default_device_is_cpu_even_with_a_gpu(tmp_path):
    # The engine's CUDA path is unverified, so the default must not claim it.
    import subprocess
    import sys

    code = "import pykerascore.config as c; print(c.get_device())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "cpu"


class _FakeCuda:
    """Stands in for a loadable _cuda that sees one GPU (so the engine check is reached)."""

    def __init__(self):
        self.selected = None

    def device_count(self):
        return 1

    def set_device(self, index):
        self.selected = index

    def set_tf32(self, enabled):
        pass


@pytest.fixture
def fake_gpu(monkeypatch):
    fake = _FakeCuda()
    monkeypatch.setattr(config._cuda_loader, "is_built", lambda: True)
    monkeypatch.setattr(config._cuda_loader, "load", lambda: fake)
    return fake


def test_set_device_cuda_refuses_while_the_engine_path_is_unverified(fake_gpu):
    config.set_device("cpu")
    with pytest.raises(RuntimeError, match="CUDA device path has not been verified on a GPU yet.*run_op"):
        config.set_device("cuda:0")
    assert config.get_device() == "cpu"
    assert fake_gpu.selected is None  # nothing was switched on the (fake) device


def test_set_device_checks_the_index_before_the_engine(fake_gpu):
    with pytest.raises(ValueError, match="out of range; 1 CUDA device"):
        config.set_device("cuda:1")


def test_set_device_cpu():
    config.set_device("cpu")
    assert config.get_device() == "cpu"
    config.set_device("CPU")
    assert config.get_device() == "cpu"


@pytest.mark.parametrize("bad", ["gpu", "cuda:", "cuda:x", "tpu:0", "", "cuda:-1"])
def test_set_device_rejects_unknown_names(bad):
    with pytest.raises(ValueError, match="unknown device"):
        config.set_device(bad)


def test_set_device_rejects_a_second_cpu():
    with pytest.raises(ValueError, match="only one CPU"):
        config.set_device("cpu:1")


def test_set_device_rejects_non_strings():
    with pytest.raises(TypeError, match="must be a string"):
        config.set_device(0)


def test_set_device_cuda_without_gpu_says_why():
    if cuda_backend.is_available():
        pytest.skip("a CUDA device is visible")
    config.set_device("cpu")
    with pytest.raises(RuntimeError, match="CUDA cannot be used: .*(without CUDA support|no CUDA device|could not be loaded)"):
        config.set_device("cuda")
    assert config.get_device() == "cpu"  # a failed call leaves the choice unchanged


def test_enable_tf32_is_off_by_default_and_settable():
    assert config.tf32_enabled() is False
    config.enable_tf32()
    assert config.tf32_enabled() is True
    config.enable_tf32(False)
    assert config.tf32_enabled() is False


def test_stub_lists_no_cuda_ops_and_refuses_work():
    assert no_cuda.cuda_ops() == []
    assert no_cuda.tf32_enabled() is False
    for fn, args in [(no_cuda.run_op, ("relu", [])), (no_cuda.set_device, (0,)), (no_cuda.allocator_stats, (0,)),
                     (no_cuda.empty_cache, ()), (no_cuda.synchronize, (0,)),
                     (no_cuda.gather_rows, (None, []))]:
        with pytest.raises(RuntimeError, match="built without CUDA support"):
            fn(*args)


# --- GPU ---------------------------------------------------------------------------------------


@pytest.mark.cuda
def test_set_device_cuda_on_gpu_refuses_until_the_engine_path_is_verified():
    if not cuda_backend.is_available():
        pytest.skip("no CUDA device")
    count = cuda_backend.load().device_count()
    with pytest.raises(ValueError, match="out of range"):
        config.set_device(f"cuda:{count}")
    with pytest.raises(RuntimeError, match="not been verified on a GPU yet"):
        config.set_device("cuda")
    assert config.get_device() == "cpu"
