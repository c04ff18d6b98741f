// ParamPack: one flat float32 buffer for a model's trainable variables, with a gradient buffer
// and optimizer slot buffers of the same layout, so an optimizer update is one pass. Variables
// become views into it. Each variable starts on a 64-byte boundary; padding stays zero, which
// every update rule maps to zero. A detached pack has the layout and the slots only (an
// optimizer's state built before training); it never owns or moves the variables' memory.
#pragma once
#include <memory>
#include <vector>

#include "core/variable.h"

namespace pkc {

class ParamPack : public std::enable_shared_from_this<ParamPack> {
 public:
  static constexpr int kMaxSlots = 16;
  explicit ParamPack(std::vector<std::shared_ptr<Variable>> vars, bool attach = true);
  ParamPack(const ParamPack&) = delete;
  ParamPack& operator=(const ParamPack&) = delete;

  const std::vector<std::shared_ptr<Variable>>& variables() const { return vars_; }
  bool attached() const { return params_ != nullptr; }
  int64_t size() const { return size_; }             // floats, padding included
  int64_t offset(size_t i) const { return offsets_[i]; }  // float offset of variable i
  int index_of(const Variable* v) const;             // -1 when not in the pack
  // Parameter and gradient buffers (null for a detached pack).
  float* params() const { return params_ ? static_cast<float*>(params_->data()) : nullptr; }
  float* grads() const { return grads_ ? static_cast<float*>(grads_->data()) : nullptr; }
  // Optimizer slot k (zero-filled when first asked for); slots survive as long as the pack.
  float* slot(int k);
  bool has_slot(int k) const { return k >= 0 && k < static_cast<int>(slots_.size()) && slots_[k] != nullptr; }

  // True when every variable still lives in this pack (a later pack may have taken some).
  bool owns_all() const;
  // Brings moved variables back (copying their current values in).
  void reclaim();

 private:
  std::vector<std::shared_ptr<Variable>> vars_;
  std::vector<int64_t> offsets_;
  int64_t size_ = 0;
  std::shared_ptr<Storage> params_, grads_;
  std::vector<std::shared_ptr<Storage>> slots_;  // null: never used
};

}  // namespace pkc
