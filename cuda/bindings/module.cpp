// cuda/bindings/module.cpp — the `_cuda` extension module: argument conversion and .def only.
// Logic (device queries, kernels, host round trips, shape checks) lives in cuda/common and
// cuda/ops; std::invalid_argument from there reaches Python as ValueError. Python imports this
// only through pykerascore/backend/cuda.py, after preloading libcublas/libcublasLt.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "cuda/common/runtime.cuh"
#include "cuda/ops/dense.cuh"

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

}  // namespace

PYBIND11_MODULE(_cuda, m) {
  m.doc() = "pykerascore CUDA backend (load it through pykerascore.backend.cuda.load())";
  m.def("device_count", &pkc::gpu::device_count,
        "Number of visible CUDA devices; 0 when there is no driver or no device.");
  m.def("runtime_version", &pkc::gpu::runtime_version,
        "CUDA runtime version _cuda was linked with, e.g. 13000.");
  m.def("cublas_version", &pkc::gpu::cublas_version,
        "cuBLASLt version loaded at run time, e.g. 130100.");
  m.def("bias_relu", &bias_relu, py::arg("x"), py::arg("b"),
        "y = max(x + b, 0) on the GPU for float32 x [rows, cols] and b [cols] (host round trip).");
}
