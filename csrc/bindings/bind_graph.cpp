// Bindings for the graph IR, autodiff and one-off evaluation.
#include <map>

#include "bindings/convert.h"
#include "engine/evaluate.h"
#include "graph/autodiff.h"
#include "graph/graph.h"

namespace pkc::bind {

void bind_graph(py::module_& m) {
  py::class_<Graph, std::shared_ptr<Graph>>(m, "Graph")
      .def(py::init<>())
      .def("add_input", [](Graph& g, const std::string& name, const py::object& shape, const std::string& dtype) {
        return g.add_input(name, shape_from_py(shape), dtype_from_name(dtype));
      })
      .def("add_variable", &Graph::add_variable)
      .def("add_constant", [](Graph& g, const py::array& a, const std::string& name) {
        py::array c = py::array::ensure(a, py::array::c_style);
        Tensor src = tensor_view(c, "constant");
        Tensor t = Tensor::empty(src.shape, src.dtype);
        std::memcpy(t.data, src.data, src.nbytes());
        return g.add_constant(t, name);
      }, py::arg("value"), py::arg("name") = "constant")
      .def("add_node", [](Graph& g, const std::string& op, const std::vector<int>& inputs, const py::dict& attrs,
                          const std::string& name) { return g.add_node(op, inputs, attrs_from_py(attrs), name); },
           py::arg("op"), py::arg("inputs"), py::arg("attrs") = py::dict(), py::arg("name") = "")
      .def("shape", [](const Graph& g, int v) { return shape_to_py(g.value(v).info.shape); })
      .def("dtype", [](const Graph& g, int v) { return std::string(dtype_name(g.value(v).info.dtype)); })
      .def("producer_op", [](const Graph& g, int v) {
        int p = g.value(v).producer;
        return p < 0 ? std::string() : g.node(p).op->name;
      })
      .def_property_readonly("num_nodes", &Graph::num_nodes)
      .def_property_readonly("num_values", &Graph::num_values)
      .def("gradients", &gradients, py::arg("loss"), py::arg("wrt"), py::arg("fuse") = true, py::arg("seed") = -1)
      .def("evaluate", [](const Graph& g, const std::map<int, py::array>& feeds, const std::vector<int>& fetch) {
        std::map<int, Tensor> in;
        std::vector<py::array> keep;
        for (auto& kv : feeds) {
          keep.push_back(py::array::ensure(kv.second, py::array::c_style));
          in[kv.first] = tensor_view(keep.back(), g.value(kv.first).name);
        }
        std::vector<Tensor> out = evaluate(g, in, fetch);
        py::list res;
        for (auto& t : out) res.append(to_numpy(t));
        return res;
      });
}

}  // namespace pkc::bind
