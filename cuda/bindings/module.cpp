// cuda/bindings/module.cpp — the `_cuda` extension module: argument conversion and .def only.
// Logic (device queries, kernels, host round trips, shape checks) lives in cuda/common and
// cuda/ops; std::invalid_argument from there reaches Python as ValueError. Python imports this
// only through pykerascore/backend/cuda.py, after preloading libcublas/libcublasLt.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bindings/convert.h"
#include "core/error.h"
#include "cuda/common/allocator.cuh"
#include "cuda/common/check.cuh"
#include "cuda/common/runtime.cuh"
#include "cuda/common/stream.cuh"
#include "cuda/ops/dense.cuh"
#include "cuda/registry/device_tensor.h"
#include "cuda/registry/register.h"

namespace py = pybind11;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// NumPy's spelling of a shape: (3, 4), (5,), ().
std::string shape_str(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

FloatArray bias_relu(const FloatArray& x, const FloatArray& b) {
  if (x.ndim() != 2 || b.ndim() != 1) {
    throw py::value_error("bias_relu: expected x of rank 2 and b of rank 1, got x.shape " +
                          shape_str(x) + " and b.shape " + shape_str(b));
  }
  FloatArray y({x.shape(0), x.shape(1)});
  const float* xp = x.data();
  const float* bp = b.data();
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release release;
    pkc::gpu::bias_relu_host(xp, x.shape(0), x.shape(1), bp, b.shape(0), yp);
  }
  return y;
}

// run_op(name, arrays, attrs, device, iteration): device -1 runs the CPU kernel on host copies,
// device >= 0 uploads the inputs to cuda:device, runs the CUDA kernel and downloads the outputs.
std::vector<py::array> run_op(const std::string& name, const std::vector<py::array>& arrays, const py::dict& attrs,
                              int device, int64_t iteration) {
  std::vector<pkc::Tensor> inputs;
  std::vector<py::array> keep;
  for (size_t i = 0; i < arrays.size(); ++i) {
    py::array c = py::array::ensure(arrays[i], py::array::c_style);
    keep.push_back(c);
    pkc::Tensor h = pkc::bind::tensor_view(c, "run_op input " + std::to_string(i));
    inputs.push_back(device < 0 ? h : pkc::gpu::to_device(h, device));
  }
  const pkc::Attrs a = pkc::bind::attrs_from_py(attrs);
  std::vector<pkc::Tensor> outs;
  {
    py::gil_scoped_release release;
    outs = pkc::gpu::run_op(name, inputs, a, iteration);
  }
  std::vector<py::array> result;
  for (const pkc::Tensor& t : outs) result.push_back(pkc::bind::to_numpy(device < 0 ? t : pkc::gpu::to_host(t)));
  return result;
}

py::dict allocator_stats(int device) {
  const pkc::gpu::AllocatorStats s = pkc::gpu::device_allocator_stats(device);
  py::dict d;
  d["allocated_bytes"] = s.allocated_bytes;
  d["cached_bytes"] = s.cached_bytes;
  d["device_bytes"] = s.device_bytes;
  d["malloc_calls"] = s.malloc_calls;
  return d;
}

}  // namespace

PYBIND11_MODULE(_cuda, m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pkc::gpu::DeviceOutOfMemory& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const pkc::Error& e) {
      switch (e.kind()) {
        case pkc::ErrorKind::Value: PyErr_SetString(PyExc_ValueError, e.what()); return;
        case pkc::ErrorKind::Type: PyErr_SetString(PyExc_TypeError, e.what()); return;
        case pkc::ErrorKind::Index: PyErr_SetString(PyExc_IndexError, e.what()); return;
        case pkc::ErrorKind::Interrupted: PyErr_SetString(PyExc_KeyboardInterrupt, e.what()); return;
        default: PyErr_SetString(PyExc_RuntimeError, e.what()); return;
      }
    }
  });
  // Registering touches only the host-side registry: no CUDA call, so importing needs no GPU.
  const std::vector<std::string> registered = pkc::gpu::register_cuda_kernels();
  m.doc() = "pykerascore CUDA backend (load it through pykerascore.backend.cuda.load())";
  m.def("device_count", &pkc::gpu::device_count,
        "Number of visible CUDA devices; 0 when there is no driver or no device.");
  m.def("runtime_version", &pkc::gpu::runtime_version,
        "CUDA runtime version _cuda was linked with, e.g. 13000.");
  m.def("cublas_version", &pkc::gpu::cublas_version,
        "cuBLASLt version loaded at run time, e.g. 130100.");
  m.def("bias_relu", &bias_relu, py::arg("x"), py::arg("b"),
        "y = max(x + b, 0) on the GPU for float32 x [rows, cols] and b [cols] (host round trip).");
  m.def("cuda_ops", [registered] { return registered; }, "Names of the ops that have a CUDA kernel.");
  m.def("run_op", &run_op, py::arg("name"), py::arg("inputs"), py::arg("attrs") = py::dict(),
        py::arg("device") = 0, py::arg("iteration") = 0,
        "Run one registered op on host copies (device=-1, CPU kernel) or on cuda:device; returns NumPy outputs.");
  m.def("set_device", &pkc::gpu::set_current_device, py::arg("index"),
        "Make cuda:index the device this thread's kernels run on (ValueError if out of range).");
  m.def("current_device", &pkc::gpu::current_device);
  m.def("synchronize", &pkc::gpu::synchronize, py::arg("device"),
        py::call_guard<py::gil_scoped_release>(), "Wait for all work queued on cuda:device.");
  m.def("set_tf32", &pkc::gpu::set_tf32_enabled, py::arg("enabled"));
  m.def("tf32_enabled", &pkc::gpu::tf32_enabled);
  m.def("allocator_stats", &allocator_stats, py::arg("device"));
  m.def("empty_cache", &pkc::gpu::device_empty_cache, py::arg("device") = -1,
        "Return every cached (unused) block to the driver.");
}
