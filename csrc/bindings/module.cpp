// The _core extension: registers every binding area. Bindings only bind; logic is in csrc/.
#include "bindings/convert.h"
#include "core/error.h"

namespace pkc::bind {
void bind_core(py::module_& m);
void bind_graph(py::module_& m);
void bind_engine(py::module_& m);
void bind_optimizers(py::module_& m);
}  // namespace pkc::bind

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  m.doc() = "pykerascore native core (CPU)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
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
  pkc::bind::bind_core(m);
  pkc::bind::bind_graph(m);
  pkc::bind::bind_engine(m);
  pkc::bind::bind_optimizers(m);
}
