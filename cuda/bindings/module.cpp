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
#include "cuda/registry/device_backend.h"
#include "cuda/registry/device_tensor.h"
#include "cuda/registry/fused_update.h"
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
// In-place ops also return the input they update, after their outputs.
std::vector<py::array> run_op(const std::string& name, const std::vector<py::array>& arrays, const py::dict& attrs,
                              int device, int64_t iteration) {
  std::vector<pkc::Tensor> inputs;
  std::vector<py::array> keep;
  for (size_t i = 0; i < arrays.size(); ++i) {
    // A private copy: in-place ops (metric accumulators) must not write into the caller's array.
    py::array c = py::array::ensure(arrays[i], py::array::c_style);
    if (c) c = py::array(c.attr("copy")());
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

// A float32 C-order copy of `a` (the harness never writes into the caller's arrays).
py::array owned_float32(const py::object& a) {
  return FloatArray(py::module_::import("numpy").attr("array")(a, py::arg("dtype") = "float32", py::arg("copy") = true));
}

pkc::UpdateScalars scalars_from_py(const py::dict& d) {
  pkc::UpdateScalars s;
  for (const auto& kv : d) {
    const std::string k = py::cast<std::string>(kv.first);
    const py::handle v = kv.second;
    if (k == "nesterov") s.nesterov = py::cast<bool>(v);
    else if (k == "centered") s.centered = py::cast<bool>(v);
    else if (k == "amsgrad") s.amsgrad = py::cast<bool>(v);
    else {
      double* field = k == "lr" ? &s.lr : k == "momentum" ? &s.momentum : k == "rho" ? &s.rho
                    : k == "epsilon" ? &s.epsilon : k == "beta_1" ? &s.beta_1 : k == "beta_2" ? &s.beta_2
                    : k == "alpha" ? &s.alpha : k == "beta_1_power" ? &s.beta_1_power : k == "u_t" ? &s.u_t
                    : k == "u_t_1" ? &s.u_t_1 : k == "u_product_t" ? &s.u_product_t
                    : k == "u_product_t_1" ? &s.u_product_t_1 : k == "beta_2_power" ? &s.beta_2_power
                    : k == "lr_power" ? &s.lr_power : k == "l1" ? &s.l1 : k == "l2" ? &s.l2
                    : k == "l2_shrinkage" ? &s.l2_shrinkage : nullptr;
      if (field == nullptr) throw py::value_error("fused_update: unknown scalar '" + k + "'");
      *field = py::cast<double>(v);
    }
  }
  return s;
}

pkc::gpu::GpuUpdateSpan span_from_py(const py::dict& d) {
  pkc::gpu::GpuUpdateSpan s;
  for (const auto& kv : d) {
    const std::string k = py::cast<std::string>(kv.first);
    const py::handle v = kv.second;
    if (k == "offset") s.offset = py::cast<int64_t>(v);
    else if (k == "n") s.n = py::cast<int64_t>(v);
    else if (k == "grad_scale") s.grad_scale = py::cast<float>(v);
    else if (k == "acc_scale") s.acc_scale = py::cast<float>(v);
    else if (k == "clip_scale") s.clip_scale = py::cast<float>(v);
    else if (k == "clip_value") s.clip_value = py::cast<float>(v);
    else if (k == "decay") s.decay = py::cast<float>(v);
    else if (k == "ema_momentum") s.ema_momentum = py::cast<float>(v);
    else if (k == "use_acc") s.use_acc = py::cast<bool>(v);
    else if (k == "use_ema") s.use_ema = py::cast<bool>(v);
    else if (k == "ema_overwrite") s.ema_overwrite = py::cast<bool>(v);
    else throw py::value_error("fused_update: unknown span key '" + k + "'");
  }
  return s;
}

// fused_update(rule, scalars, params, grads, slots, spans, accumulators, ema, device): copies of
// the buffers after one update on the CPU (device=-1, the engine's kernel) or on cuda:device.
py::dict fused_update(const std::string& rule, const py::dict& scalars, const py::object& params,
                      const py::object& grads, const py::list& slots, const py::list& spans,
                      const py::object& accumulators, const py::object& ema, int device) {
  if (slots.size() > 3) throw py::value_error("fused_update: at most 3 slots, got " + std::to_string(slots.size()));
  const pkc::UpdateRule r = pkc::gpu::update_rule_from_name(rule);
  const pkc::UpdateScalars s = scalars_from_py(scalars);
  std::vector<pkc::gpu::GpuUpdateSpan> table;
  for (const py::handle sp : spans) table.push_back(span_from_py(py::cast<py::dict>(sp)));
  std::vector<py::array> keep;
  auto view = [&keep](const py::object& a, const std::string& what) {
    keep.push_back(owned_float32(a));
    return pkc::bind::tensor_view(keep.back(), what);
  };
  pkc::gpu::FlatUpdateState st;
  st.p = view(params, "params");
  const py::array out_p = keep.back();
  st.g = view(grads, "grads");
  py::list out_slots;
  for (size_t k = 0; k < 3; ++k) {
    if (k < slots.size() && !slots[k].is_none()) {
      st.slot[k] = view(slots[k], "slot " + std::to_string(k));
      out_slots.append(keep.back());
    } else {
      out_slots.append(py::none());
    }
  }
  py::object out_acc = py::none(), out_ema = py::none();
  if (!accumulators.is_none()) st.acc = view(accumulators, "accumulators"), out_acc = keep.back();
  if (!ema.is_none()) st.ema = view(ema, "ema"), out_ema = keep.back();
  {
    py::gil_scoped_release release;
    pkc::gpu::run_fused_update(r, s, st, table, device);
  }
  py::dict out;
  out["params"] = out_p;
  out["slots"] = out_slots;
  out["accumulators"] = out_acc;
  out["ema"] = out_ema;
  return out;
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
  pkc::gpu::register_cuda_backend();  // the engine's device memory and copies (no CUDA call either)
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
  m.def("fused_update", &fused_update, py::arg("rule"), py::arg("scalars"), py::arg("params"), py::arg("grads"),
        py::arg("slots"), py::arg("spans"), py::arg("accumulators") = py::none(), py::arg("ema") = py::none(),
        py::arg("device") = 0,
        "One fused optimizer update over flat float32 buffers on the CPU (device=-1) or cuda:device; "
        "returns {'params', 'slots', 'accumulators', 'ema'} (copies; the inputs are not modified).");
  m.def("set_device", &pkc::gpu::set_current_device, py::arg("index"),
        "Make cuda:index the device this thread's kernels run on (ValueError if out of range).");
  m.def("current_device", &pkc::gpu::current_device);
  m.def("synchronize", &pkc::gpu::synchronize, py::arg("device"),
        py::call_guard<py::gil_scoped_release>(), "Wait for all work queued on cuda:device.");
  m.def("set_tf32", &pkc::gpu::set_tf32_enabled, py::arg("enabled"));
  m.def("tf32_enabled", &pkc::gpu::tf32_enabled);
  m.def("allocator_stats", &allocator_stats, py::arg("device"));
  m.def("gather_rows", [](const py::array& src, const std::vector<int64_t>& rows, int device) {
        py::array c = py::array::ensure(src, py::array::c_style);
        const pkc::Tensor h = pkc::bind::tensor_view(c, "gather_rows src");
        pkc::Tensor out;
        {
          py::gil_scoped_release release;
          out = pkc::gpu::gather_rows_through_backend(h, rows, device);
        }
        return pkc::bind::to_numpy(out);
      }, py::arg("src"), py::arg("rows"), py::arg("device") = 0,
      "src[rows] gathered on cuda:device through the engine's device backend (a test harness).");
  m.def("empty_cache", &pkc::gpu::device_empty_cache, py::arg("device") = -1,
        "Return every cached (unused) block to the driver.");
}
