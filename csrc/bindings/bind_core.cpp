// Bindings for core types: Variable, ParamPack, thread configuration, op listing.
#include <cstring>

#include "bindings/convert.h"
#include "core/param_pack.h"
#include "ops/blas.h"

namespace pkc::bind {

void bind_core(py::module_& m) {
  py::class_<Variable, std::shared_ptr<Variable>>(m, "Variable")
      .def(py::init([](const std::string& name, const py::object& shape, const std::string& dtype, bool trainable) {
             return std::make_shared<Variable>(name, shape_from_py(shape), dtype_from_name(dtype), trainable);
           }),
           py::arg("name"), py::arg("shape"), py::arg("dtype") = "float32", py::arg("trainable") = true)
      .def_property_readonly("name", &Variable::name)
      .def_property_readonly("shape", [](const Variable& v) { return shape_to_py(v.shape()); })
      .def_property_readonly("dtype", [](const Variable& v) { return std::string(dtype_name(v.dtype())); })
      .def_property("trainable", &Variable::trainable, &Variable::set_trainable)
      .def("numpy", [](const Variable& v) { return to_numpy(v.value()); })
      .def("assign", [](Variable& v, const py::array& a) {
        py::array c = py::array::ensure(a, py::array::c_style);
        Shape s(c.shape(), c.shape() + c.ndim());
        PKC_CHECK(numel(s) == v.numel(), Value, "cannot assign a value of shape ", shape_str(s), " to variable '",
                  v.name(), "' of shape ", shape_str(v.shape()));
        v.assign(c.data(), dtype_of(c), numel(s));
      })
      // reset_metrics() zeroes every metric state before each *_on_batch call: one native call
      // instead of building a zeros array and converting it.
      .def("zero", [](Variable& v) {
        Tensor t = v.value();
        std::memset(t.data, 0, t.nbytes());
      });

  py::class_<ParamPack, std::shared_ptr<ParamPack>>(m, "ParamPack")
      .def(py::init<std::vector<std::shared_ptr<Variable>>, bool>(), py::arg("variables"), py::arg("attach") = true)
      .def_property_readonly("attached", &ParamPack::attached)
      .def_property_readonly("size", &ParamPack::size)
      .def_property_readonly("variables", &ParamPack::variables)
      .def("offset", &ParamPack::offset)
      .def("owns_all", &ParamPack::owns_all)
      .def("grads", [](const ParamPack& p) {
        return to_numpy(Tensor::view(p.grads(), {p.size()}, DType::float32));
      })
      .def("slot", [](ParamPack& p, int k) { return to_numpy(Tensor::view(p.slot(k), {p.size()}, DType::float32)); })
      .def("set_slot", [](ParamPack& p, int k, const py::array_t<float, py::array::c_style | py::array::forcecast>& a) {
        PKC_CHECK(a.size() == p.size(), Value, "slot must have ", p.size(), " values, got ", a.size());
        std::memcpy(p.slot(k), a.data(), sizeof(float) * p.size());
      });

  m.def("set_num_threads", [](int n) {
    PKC_CHECK(n >= 1, Value, "set_num_threads: n must be >= 1, got ", n);
    set_cpu_threads(n);
  });
  m.def("get_num_threads", &cpu_threads);
  set_cpu_threads(blas_get_num_threads());  // the BLAS's default at load: one per core
  m.def("op_names", [] { return OpRegistry::instance().names(); });
}

}  // namespace pkc::bind
