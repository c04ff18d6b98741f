// Bindings for Program and Optimizer. Program.run releases the GIL; every ~50 ms it briefly
// takes it back to let Python see signals, so Ctrl-C stops the loop at a step boundary.
#include <chrono>

#include "bindings/convert.h"
#include "core/device_backend.h"
#include "engine/device_emulation.h"
#include "engine/program.h"

namespace pkc::bind {

namespace {

// A Program plus the NumPy arrays it reads and writes, kept alive while bound.
struct PyProgram {
  std::unique_ptr<Program> program;
  std::vector<py::array> inputs, outputs;
};

HostArray host_array(const py::array& a, const std::string& name) {
  HostArray h;
  h.data = const_cast<void*>(a.data());
  h.dtype = dtype_of(a);
  h.shape.assign(a.shape(), a.shape() + a.ndim());
  h.name = name;
  PKC_CHECK(a.ndim() >= 1, Value, "'", name, "' must have a batch dimension, got a scalar");
  // rows must be contiguous; the row step may be anything (e.g. a slice x[::2])
  py::ssize_t expect = a.itemsize();
  for (py::ssize_t d = a.ndim() - 1; d >= 1; --d) {
    // A size-1 axis may carry any stride (e.g. y[:, None]); it never moves the pointer.
    if (a.shape(d) == 1) continue;
    PKC_CHECK(a.strides(d) == expect, Value, "'", name, "' must have contiguous rows");
    expect *= a.shape(d);
  }
  h.row_stride = a.ndim() ? a.strides(0) : 0;
  return h;
}

ShuffleMode shuffle_mode(const std::string& s) {
  if (s == "none") return ShuffleMode::none;
  if (s == "full") return ShuffleMode::full;
  if (s == "batch") return ShuffleMode::batch;
  PKC_THROW(Value, "unknown shuffle mode '", s, "'");
}

Mode mode_of(const std::string& s) {
  if (s == "train") return Mode::train;
  if (s == "test") return Mode::test;
  if (s == "predict") return Mode::predict;
  PKC_THROW(Value, "unknown program mode '", s, "'");
}

}  // namespace

void bind_engine(py::module_& m) {
  py::class_<PyProgram>(m, "Program")
      .def(py::init([](const std::string& mode, std::shared_ptr<Graph> graph, std::vector<int> feeds,
                       std::vector<int> outputs, int loss, std::shared_ptr<ParamPack> pack,
                       std::shared_ptr<Optimizer> optimizer, int64_t batch_size, bool fuse) {
             ProgramSpec spec;
             spec.mode = mode_of(mode);
             spec.graph = std::move(graph);
             spec.feeds = std::move(feeds);
             spec.outputs = std::move(outputs);
             spec.loss = loss;
             spec.pack = std::move(pack);
             spec.optimizer = std::move(optimizer);
             spec.batch_size = batch_size;
             spec.fuse = fuse;
             spec.device = default_program_device();
             auto p = std::make_unique<PyProgram>();
             p->program = std::make_unique<Program>(spec);
             return p;
           }),
           py::arg("mode"), py::arg("graph"), py::arg("feeds"), py::arg("outputs") = std::vector<int>{},
           py::arg("loss") = -1, py::arg("pack") = nullptr, py::arg("optimizer") = nullptr, py::arg("batch_size") = 32,
           py::arg("fuse") = true)
      .def("set_inputs", [](PyProgram& p, const std::vector<py::array>& arrays, const std::vector<std::string>& names) {
        std::vector<HostArray> hs;
        for (size_t i = 0; i < arrays.size(); ++i) hs.push_back(host_array(arrays[i], i < names.size() ? names[i] : "input"));
        p.program->set_inputs(hs);
        p.inputs = arrays;
      }, py::arg("arrays"), py::arg("names") = std::vector<std::string>{})
      .def("set_outputs", [](PyProgram& p, const std::vector<py::array>& arrays) {
        std::vector<HostArray> hs;
        for (auto& a : arrays) {
          PKC_CHECK(a.writeable(), Value, "output arrays must be writeable");
          hs.push_back(host_array(a, "output"));
        }
        p.program->set_outputs(hs);
        p.outputs = arrays;
      })
      .def("release_arrays", [](PyProgram& p) {
        p.inputs.clear();
        p.outputs.clear();
        p.program->clear_arrays();
      })
      .def("begin_epoch", [](PyProgram& p, const std::string& shuffle, uint64_t seed, uint64_t epoch) {
        p.program->begin_epoch(shuffle_mode(shuffle), seed, epoch);
      })
      .def("run", [](PyProgram& p, int64_t first, int64_t steps) {
        bool interrupted = false;
        auto last = std::chrono::steady_clock::now();
        auto should_stop = [&]() {
          auto now = std::chrono::steady_clock::now();
          if (now - last < std::chrono::milliseconds(50)) return false;
          last = now;
          py::gil_scoped_acquire gil;
          if (PyErr_CheckSignals() != 0) interrupted = true;
          return interrupted;
        };
        int64_t done;
        {
          py::gil_scoped_release release;
          done = p.program->run(first, steps, should_stop);
        }
        if (interrupted) throw py::error_already_set();
        return done;
      })
      .def_property_readonly("steps_per_epoch", [](PyProgram& p) { return p.program->steps_per_epoch(); })
      .def_property_readonly("num_rows", [](PyProgram& p) { return p.program->num_rows(); })
      .def_property_readonly("batch_size", [](PyProgram& p) { return p.program->batch_size(); })
      .def_property_readonly("row_group", [](PyProgram& p) { return p.program->row_group(); })
      .def_property_readonly("row_group_blocker", [](PyProgram& p) { return p.program->row_group_blocker(); })
      .def_property_readonly("num_nodes", [](PyProgram& p) { return p.program->num_nodes(); })
      .def_property_readonly("arena_bytes", [](PyProgram& p) { return p.program->arena_bytes(); })
      .def_property_readonly("device", [](PyProgram& p) { return p.program->device().str(); })
      .def_property_readonly("data_resident", [](PyProgram& p) { return p.program->data_resident(); })
      .def_property("seed", [](PyProgram& p) { return p.program->step_state().seed; },
                    [](PyProgram& p, uint64_t s) { p.program->step_state().seed = s; });

  // Placement of new Programs: kind "cpu" or "cuda" (its backend must be loaded) and index.
  m.def("set_program_device", [](const std::string& kind, int index) {
    PKC_CHECK(kind == "cpu" || kind == "cuda", Value, "unknown device kind '", kind, "'");
    set_default_program_device(Device{kind == "cpu" ? DeviceType::cpu : DeviceType::cuda, kind == "cpu" ? 0 : index});
  }, py::arg("kind"), py::arg("index") = 0);
  m.def("program_device", [] { return default_program_device().str(); });
  m.def("set_resident_data_fraction", &set_resident_data_fraction, py::arg("fraction"));
  m.def("resident_data_fraction", &resident_data_fraction);
  m.def("_emulate_cuda_on_host", &emulate_cuda_on_host);
  m.def("epoch_order", [](int64_t n, int64_t batch, const std::string& mode, uint64_t seed, uint64_t epoch) {
    return epoch_order(n, batch, shuffle_mode(mode), seed, epoch);
  });
}

}  // namespace pkc::bind
