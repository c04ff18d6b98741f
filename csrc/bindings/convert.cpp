// NumPy <-> Tensor conversion helpers.
#include "bindings/convert.h"

#include <cstring>

namespace pkc::bind {

DType dtype_of(const py::array& a) {
  char kind = a.dtype().kind();
  size_t sz = a.itemsize();
  if (kind == 'f') {
    if (sz == 4) return DType::float32;
    if (sz == 8) return DType::float64;
    if (sz == 2) return DType::float16;
  } else if (kind == 'i') {
    if (sz == 4) return DType::int32;
    if (sz == 8) return DType::int64;
    if (sz == 1) return DType::int8;
    if (sz == 2) return DType::int16;
  } else if (kind == 'u') {
    if (sz == 1) return DType::uint8;
    if (sz == 2) return DType::uint16;
    if (sz == 4) return DType::uint32;
    if (sz == 8) return DType::uint64;
  } else if (kind == 'b') {
    return DType::bool_;
  }
  PKC_THROW(Type, "unsupported array dtype '", std::string(py::str(a.dtype())), "'");
}

py::dtype numpy_dtype(DType dt) {
  if (dt == DType::bool_) return py::dtype("bool");
  return py::dtype(dtype_name(dt));
}

Shape shape_from_py(const py::object& shape) {
  Shape s;
  for (auto d : shape) s.push_back(d.is_none() ? -1 : d.cast<int64_t>());
  return s;
}

py::tuple shape_to_py(const Shape& s) {
  py::tuple t(s.size());
  for (size_t i = 0; i < s.size(); ++i) t[i] = s[i] < 0 ? py::none() : py::object(py::int_(s[i]));
  return t;
}

Attrs attrs_from_py(const py::dict& d) {
  Attrs a;
  for (auto kv : d) {
    std::string k = kv.first.cast<std::string>();
    py::handle v = kv.second;
    if (py::isinstance<py::bool_>(v)) a.set(k, int64_t(v.cast<bool>()));
    else if (py::isinstance<py::int_>(v)) a.set(k, v.cast<int64_t>());
    else if (py::isinstance<py::float_>(v)) a.set(k, v.cast<double>());
    else if (py::isinstance<py::str>(v)) a.set(k, v.cast<std::string>());
    else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
      bool all_int = true;
      for (auto e : v) all_int = all_int && (py::isinstance<py::int_>(e) || py::isinstance<py::bool_>(e));
      if (all_int) a.set(k, v.cast<std::vector<int64_t>>());
      else a.set(k, v.cast<std::vector<double>>());
    } else {
      PKC_THROW(Type, "attribute '", k, "' has unsupported type ", std::string(py::str(py::type::of(v))));
    }
  }
  return a;
}

Tensor tensor_view(const py::array& a, const std::string& what) {
  PKC_CHECK(a.flags() & py::array::c_style, Value, what, " must be C-contiguous");
  Shape s(a.shape(), a.shape() + a.ndim());
  return Tensor::view(const_cast<void*>(a.data()), s, dtype_of(a));
}

py::array to_numpy(const Tensor& t) {
  std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
  py::array out(numpy_dtype(t.dtype), shape);
  if (t.nbytes()) std::memcpy(out.mutable_data(), t.data, t.nbytes());
  return out;
}

}  // namespace pkc::bind
