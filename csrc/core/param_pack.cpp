// Layout and (re)binding of a ParamPack.
#include "core/param_pack.h"

#include <cstring>

#include "core/error.h"

namespace pkc {

ParamPack::ParamPack(std::vector<std::shared_ptr<Variable>> vars, bool attach) : vars_(std::move(vars)) {
  for (auto& v : vars_) {
    PKC_CHECK(v->dtype() == DType::float32, Type, "trainable variable '", v->name(),
              "' must be float32, got ", dtype_name(v->dtype()));
    offsets_.push_back(size_);
    size_ += (v->numel() + 15) / 16 * 16;
  }
  if (!attach) return;
  params_ = Storage::allocate_host(static_cast<size_t>(size_) * sizeof(float));
  grads_ = Storage::allocate_host(static_cast<size_t>(size_) * sizeof(float));
  for (size_t i = 0; i < vars_.size(); ++i) {
    std::memcpy(params() + offsets_[i], vars_[i]->value().data, vars_[i]->numel() * sizeof(float));
    vars_[i]->redirect(params_, offsets_[i] * sizeof(float), this);
  }
}

int ParamPack::index_of(const Variable* v) const {
  for (size_t i = 0; i < vars_.size(); ++i)
    if (vars_[i].get() == v) return static_cast<int>(i);
  return -1;
}

float* ParamPack::slot(int k) {
  PKC_CHECK(k >= 0 && k < kMaxSlots, Index, "optimizer slot ", k, " out of range");
  if (static_cast<int>(slots_.size()) <= k) slots_.resize(k + 1);
  if (!slots_[k]) slots_[k] = Storage::allocate_host(static_cast<size_t>(size_) * sizeof(float));
  return static_cast<float*>(slots_[k]->data());
}

bool ParamPack::owns_all() const {
  if (!attached()) return true;  // a detached pack owns nothing to lose
  for (auto& v : vars_)
    if (v->pack() != this) return false;
  return true;
}

void ParamPack::reclaim() {
  if (!attached()) return;
  for (size_t i = 0; i < vars_.size(); ++i) {
    if (vars_[i]->pack() == this) continue;
    std::memcpy(params() + offsets_[i], vars_[i]->value().data, vars_[i]->numel() * sizeof(float));
    vars_[i]->redirect(params_, offsets_[i] * sizeof(float), this);
  }
}

}  // namespace pkc
