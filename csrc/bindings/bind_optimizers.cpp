// Bindings for the native Optimizer and learning-rate Schedule: argument conversion only.
#include <cstring>

#include "bindings/convert.h"
#include "engine/optimizer.h"
#include "engine/schedules.h"

namespace pkc::bind {

void bind_optimizers(py::module_& m) {
  py::class_<Schedule, std::shared_ptr<Schedule>>(m, "Schedule")
      .def(py::init<std::string, std::map<std::string, double>, std::vector<double>, std::vector<double>>(),
           py::arg("kind"), py::arg("args"), py::arg("boundaries") = std::vector<double>{},
           py::arg("values") = std::vector<double>{})
      .def_property_readonly("kind", &Schedule::kind)
      .def("__call__", [](const Schedule& s, double step) { return s(step); });

  py::class_<Optimizer, std::shared_ptr<Optimizer>>(m, "Optimizer")
      .def(py::init<std::string, std::map<std::string, double>>())
      .def_property_readonly("name", &Optimizer::name)
      .def_property("learning_rate", &Optimizer::learning_rate, &Optimizer::set_learning_rate)
      .def_property("schedule", [](const Optimizer& o) { return std::const_pointer_cast<Schedule>(o.schedule()); },
                    [](Optimizer& o, std::shared_ptr<Schedule> s) { o.set_schedule(std::move(s)); })
      .def_property("iterations", &Optimizer::iterations, &Optimizer::set_iterations)
      .def_property_readonly("num_slots", &Optimizer::num_slots)
      .def_property_readonly("built", &Optimizer::built)
      .def("build", &Optimizer::build, py::arg("variables"))
      .def_property_readonly("variables", &Optimizer::variables)
      .def("uses_slot", &Optimizer::uses_slot)
      .def("state", [](Optimizer& o, int slot, size_t i) {
        std::vector<float> v = o.state(slot, i);
        return to_numpy(Tensor::view(v.data(), o.variables()[i]->shape(), DType::float32));
      })
      .def("set_state", [](Optimizer& o, int slot, size_t i, const py::array_t<float, py::array::c_style | py::array::forcecast>& a) {
        o.set_state(slot, i, a.data(), static_cast<int64_t>(a.size()));
      })
      .def_property("u_product", &Optimizer::u_product, &Optimizer::set_u_product)
      .def("get", &Optimizer::get)
      .def("set", &Optimizer::set)
      .def("enable_dynamic_loss_scale", &Optimizer::enable_dynamic_loss_scale)
      .def_property("dynamic_scale", &Optimizer::dynamic_scale, &Optimizer::set_dynamic_scale)
      .def_property("loss_scale_step_counter", &Optimizer::loss_scale_step_counter,
                    &Optimizer::set_loss_scale_step_counter)
      .def_property_readonly("loss_scale", &Optimizer::loss_scale)
      .def("exclude_from_weight_decay", &Optimizer::exclude_from_weight_decay, py::arg("variables"), py::arg("patterns"))
      .def("moving_average", [](const Optimizer& o, const Variable& v) {
        std::vector<float> avg = o.moving_average(v);
        if (avg.empty()) return py::object(py::none());
        return py::object(to_numpy(Tensor::view(avg.data(), v.shape(), DType::float32)));
      })
      .def("finalize_variable_values", &Optimizer::finalize_variable_values)
      .def("set_constraint", &Optimizer::set_constraint, py::arg("variable"), py::arg("kind"),
           py::arg("params") = std::map<std::string, double>{}, py::arg("axes") = std::vector<int64_t>{})
      .def_property_readonly("num_constraints", &Optimizer::num_constraints)
      .def("apply", &Optimizer::apply)
      // Eager path: copies a flat gradient (the pack's layout) into the pack, then applies it.
      .def("apply_gradients", [](Optimizer& o, ParamPack& pack, const py::array_t<float, py::array::c_style | py::array::forcecast>& g) {
        PKC_CHECK(g.size() == pack.size(), Value, "gradient must have ", pack.size(), " values (the pack's layout), got ", g.size());
        std::memcpy(pack.grads(), g.data(), sizeof(float) * pack.size());
        o.apply(pack);
      });
}

}  // namespace pkc::bind
