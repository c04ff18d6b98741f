// ParamPack: one flat float32 buffer for a model's trainable variables, with a gradient buffer
// and optimizer slot buffers of the same layout, so an optimizer update is one pass. Variables
// become views into it. Each variable starts on a 64-byte boundary; padding stays zero, which
// every update rule maps to zero.
#pragma once
#include <memory>
#include <vector>

#include "core/variable.h"

namespace pkc {

class ParamPack {
 public:
  explicit ParamPack(std::vector<std::shared_ptr<Variable>> vars);
  ParamPack(const ParamPack&) = delete;
  ParamPack& operator=(const ParamPack&) = delete;

  const std::vector<std::shared_ptr<Variable>>& variables() const { return vars_; }
  int64_t size() const { return size_; }             // floats, padding included
  int64_t offset(size_t i) const { return offsets_[i]; }  // float offset of variable i
  float* params() const { return static_cast<float*>(params_->data()); }
  float* grads() const { return static_cast<float*>(grads_->data()); }
  // Optimizer slot k (zero-filled on first use); slots survive as long as the pack.
  float* slot(int k);
  int num_slots() const { return static_cast<int>(slots_.size()); }

  // True when every variable still lives in this pack (a later pack may have taken some).
  bool owns_all() const;
  // Brings moved variables back (copying their current values in).
  void reclaim();

 private:
  std::vector<std::shared_ptr<Variable>> vars_;
  std::vector<int64_t> offsets_;
  int64_t size_ = 0;
  std::shared_ptr<Storage> params_, grads_;
  std::vector<std::shared_ptr<Storage>> slots_;
};

}  // namespace pkc
