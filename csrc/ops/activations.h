// Element-wise activations that can run as a fused epilogue (Dense) or as their own op, with
// derivatives written in terms of the output y so that backward needs no saved input.
#pragma once
#include <cmath>
#include <string>

namespace pkc {

enum class Act { linear, relu, sigmoid, tanh };

Act act_from_name(const std::string& name, const std::string& node);  // ValueError if unknown
bool act_is_fusable(const std::string& name);

inline float sigmoid_f(float x) {
  if (x >= 0.f) return 1.f / (1.f + std::exp(-x));
  float e = std::exp(x);
  return e / (1.f + e);
}

inline float act_forward(Act a, float x) {
  switch (a) {
    case Act::relu: return x > 0.f ? x : 0.f;
    case Act::sigmoid: return sigmoid_f(x);
    case Act::tanh: return std::tanh(x);
    default: return x;
  }
}

// dL/dx given dL/dy and y = act(x).
inline float act_backward(Act a, float dy, float y) {
  switch (a) {
    case Act::relu: return y > 0.f ? dy : 0.f;
    case Act::sigmoid: return dy * y * (1.f - y);
    case Act::tanh: return dy * (1.f - y * y);
    default: return dy;
  }
}

// In-place over n values.
void act_forward_inplace(Act a, float* y, int64_t n);

}  // namespace pkc
