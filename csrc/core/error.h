// Errors that cross into Python: each carries a kind that the bindings map to ValueError,
// TypeError, RuntimeError, IndexError or KeyboardInterrupt. Every check on user input runs
// before a kernel does, through PKC_CHECK, and names the layer/input and the shapes.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace pkc {

enum class ErrorKind { Value, Type, Runtime, Index, Interrupted };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

}  // namespace pkc

#define PKC_THROW(KIND, ...) throw ::pkc::Error(::pkc::ErrorKind::KIND, ::pkc::str_cat(__VA_ARGS__))
#define PKC_CHECK(cond, KIND, ...) \
  do {                             \
    if (!(cond)) PKC_THROW(KIND, __VA_ARGS__); \
  } while (0)
