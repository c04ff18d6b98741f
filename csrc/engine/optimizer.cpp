// Optimizer hyperparameters and dispatch to the flat update kernels.
#include "engine/optimizer.h"

#include <cmath>

#include "core/error.h"
#include "ops/optimizers.h"

namespace pkc {

Optimizer::Optimizer(std::string name, std::map<std::string, double> config)
    : name_(std::move(name)), config_(std::move(config)) {
  PKC_CHECK(name_ == "sgd" || name_ == "adam", Value, "unknown optimizer '", name_, "'");
  lr_ = get("learning_rate");
}

double Optimizer::get(const std::string& key) const {
  auto it = config_.find(key);
  PKC_CHECK(it != config_.end(), Value, "optimizer '", name_, "' has no hyperparameter '", key, "'");
  return it->second;
}

int Optimizer::num_slots() const {
  if (name_ == "adam") return 2;
  return get("momentum") != 0.0 ? 1 : 0;
}

void Optimizer::apply(ParamPack& pack) {
  const int64_t n = pack.size();
  float lr = static_cast<float>(lr_);
  if (name_ == "sgd") {
    float momentum = static_cast<float>(get("momentum"));
    sgd_update(pack.params(), pack.grads(), momentum != 0.f ? pack.slot(0) : nullptr, n, lr, momentum,
               get("nesterov") != 0.0);
  } else {  // adam
    float b1 = static_cast<float>(get("beta_1")), b2 = static_cast<float>(get("beta_2"));
    float t = static_cast<float>(iterations_ + 1);
    float b1p = std::pow(b1, t), b2p = std::pow(b2, t);
    float alpha = lr * std::sqrt(1.f - b2p) / (1.f - b1p);
    adam_update(pack.params(), pack.grads(), pack.slot(0), pack.slot(1), n, alpha,
                static_cast<float>(1.0 - get("beta_1")), static_cast<float>(1.0 - get("beta_2")),
                static_cast<float>(get("epsilon")));
  }
  ++iterations_;
}

}  // namespace pkc
