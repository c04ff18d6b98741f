// Layout and (re)binding of a ParamPack.
#include "core/param_pack.h"

#include <cstring>

#include "core/error.h"

namespace pkc {

ParamPack::ParamPack(std::vector<std::shared_ptr<Variable>> vars) : vars_(std::move(vars)) {
  for (auto& v : vars_) {
    PKC_CHECK(v->dtype() == DType::float32, Type, "trainable variable '", v->name(),
              "' must be float32, got ", dtype_name(v->dtype()));
    offsets_.push_back(size_);
    size_ += (v->numel() + 15) / 16 * 16;
  }
  params_ = Storage::allocate_host(static_cast<size_t>(size_) * sizeof(float));
  grads_ = Storage::allocate_host(static_cast<size_t>(size_) * sizeof(float));
  for (size_t i = 0; i < vars_.size(); ++i) {
    std::memcpy(params() + offsets_[i], vars_[i]->value().data, vars_[i]->numel() * sizeof(float));
    vars_[i]->redirect(params_, offsets_[i] * sizeof(float), this);
  }
}

float* ParamPack::slot(int k) {
  PKC_CHECK(k >= 0 && k < 16, Index, "optimizer slot ", k, " out of range");
  while (static_cast<int>(slots_.size()) <= k)
    slots_.push_back(Storage::allocate_host(static_cast<size_t>(size_) * sizeof(float)));
  return static_cast<float*>(slots_[k]->data());
}

bool ParamPack::owns_all() const {
  for (auto& v : vars_)
    if (v->pack() != this) return false;
  return true;
}

void ParamPack::reclaim() {
  for (size_t i = 0; i < vars_.size(); ++i) {
    if (vars_[i]->pack() == this) continue;
    std::memcpy(params() + offsets_[i], vars_[i]->value().data, vars_[i]->numel() * sizeof(float));
    vars_[i]->redirect(params_, offsets_[i] * sizeof(float), this);
  }
}

}  // namespace pkc
