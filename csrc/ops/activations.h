// Activations that can run as a fused epilogue (Dense) or as their own op. Every Act has a
// derivative that is a well-conditioned function of its output y alone, so backward needs no
// saved input. Activations whose derivative needs x (gelu, silu, elu, ...) live in
// activations_param.cpp, softmax/log_softmax over any axes in activations_softmax.cpp.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace pkc {

class Attrs;

// Each fusable activation also exists as an op `<name>` with a gradient op `<name>_grad`
// taking (dy, y): dense.cpp emits that op by name when it does not fuse the bias sum.
enum class Act { linear, relu, sigmoid, tanh, relu6, hard_sigmoid, exponential };

Act act_from_name(const std::string& name, const std::string& node);  // ValueError if unknown
bool act_is_fusable(const std::string& name);
const char* act_name(Act a);

// The sorted axes a softmax/log_softmax node normalises over (attr "axes", else "axis", default
// the last); ValueError on out-of-range or repeated axes.
std::vector<int> softmax_axes(const Attrs& attrs, size_t rank, const std::string& node);

// True when a softmax/log_softmax node with these attrs normalises over the last axis only
// (fused loss gradients such as softmax + sparse crossentropy are valid only then).
bool softmax_reduces_last_axis_only(const Attrs& attrs, size_t rank);

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
    case Act::relu6: return std::min(std::max(x, T(0)), T(6));
    // Keras 3: relu6(x + 3) / 6, slope 1/6 (not Keras 2's 0.2 x + 0.5).
    case Act::hard_sigmoid: return std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
    case Act::exponential: return std::exp(x);
    default: return x;
  }
}

// dL/dx given dL/dy and y = act(x). At kinks the derivative is 0 (as JAX's relu/relu6).
template <typename T>
inline T act_backward(Act a, T dy, T y) {
  switch (a) {
    case Act::relu: return y > T(0) ? dy : T(0);
    case Act::sigmoid: return dy * y * (T(1) - y);
    case Act::tanh: return dy * (T(1) - y * y);
    case Act::relu6: return (y > T(0) && y < T(6)) ? dy : T(0);
    case Act::hard_sigmoid: return (y > T(0) && y < T(1)) ? dy / T(6) : T(0);
    case Act::exponential: return dy * y;
    default: return dy;
  }
}

}  // namespace pkc
