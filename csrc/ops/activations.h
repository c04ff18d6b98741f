// Element-wise activations that can run as a fused epilogue (Dense) or as their own op, with
// derivatives written in terms of the output y so that backward needs no saved input.
#pragma once
#include <cmath>
#include <string>

namespace pkc {

enum class Act { linear, relu, sigmoid, tanh };

Act act_from_name(const std::string& name, const std::string& node);  // ValueError if unknown
bool act_is_fusable(const std::string& name);

template <typename T>
inline T sigmoid_f(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
inline T act_forward(Act a, T x) {
  switch (a) {
    case Act::relu: return x > T(0) ? x : T(0);
    case Act::sigmoid: return sigmoid_f(x);
    case Act::tanh: return std::tanh(x);
    default: return x;
  }
}

// dL/dx given dL/dy and y = act(x).
template <typename T>
inline T act_backward(Act a, T dy, T y) {
  switch (a) {
    case Act::relu: return y > T(0) ? dy : T(0);
    case Act::sigmoid: return dy * y * (T(1) - y);
    case Act::tanh: return dy * (T(1) - y * y);
    default: return dy;
  }
}

}  // namespace pkc
