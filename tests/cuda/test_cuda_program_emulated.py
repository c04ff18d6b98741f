"""The device step loop without a GPU: runs the `cuda`-marked tests of test_cuda_program.py in a
subprocess where `_core._emulate_cuda_on_host()` stands in for the CUDA backend (host memory
filled with garbage, CPU kernels as the CUDA entries). It checks the loop's bookkeeping -- what
is uploaded, gathered, copied back, scattered -- not the CUDA kernels. Runs everywhere; the
subprocess never imports `_cuda` (emulation and the real backend cannot share a process).
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

RUNNER = r"""
import sys
import pytest
import pykerascore.config as config
import pykerascore.backend.cuda as cuda_backend
from pykerascore.backend import core

core._emulate_cuda_on_host()
cuda_backend.is_available = lambda: True


def use_emulated(device):  # config._use_device without loading _cuda
    config._device = device
    core.set_program_device("cuda", 0)


config._use_device = use_emulated
sys.exit(pytest.main(sys.argv[1:]))
"""


def _run(tmp_path, select):
    test_file = os.path.join(HERE, "test_cuda_program.py")
    args = [sys.executable, "-c", RUNNER, "-q", "-p", "no:cacheprovider", "-m", "cuda", "-k", select, test_file]
    return subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_device_loop_matches_the_cpu_under_emulation(tmp_path):
    # The large bench workloads (mlp, wide) only add CPU time here; tiny and multiio cover the
    # loop (steps_per_execution, several inputs and outputs, validation data). The gather_rows
    # tests call into `_cuda` itself, so they cannot run here.
    out = _run(tmp_path, "not gather_rows and (not bench_workload or tiny or multiio)")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout, out.stdout[-2000:]
    for word in ("failed", "skipped", "xfail", "error"):
        assert word not in out.stdout, out.stdout[-4000:]
