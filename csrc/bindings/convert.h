// Argument conversion between NumPy/Python and core types, for the binding files only.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "core/tensor.h"
#include "ops/registry.h"

namespace pkc::bind {

namespace py = pybind11;

DType dtype_of(const py::array& a);
py::dtype numpy_dtype(DType dt);
Shape shape_from_py(const py::object& shape);  // tuple/list with None -> -1
py::tuple shape_to_py(const Shape& s);        // -1 -> None
Attrs attrs_from_py(const py::dict& d);
// A C-contiguous view of `a` as a Tensor (no copy). TypeError/ValueError if not possible.
Tensor tensor_view(const py::array& a, const std::string& what);
// A NumPy array that owns a copy of `t`.
py::array to_numpy(const Tensor& t);

}  // namespace pkc::bind
