// Native optimizer state: hyperparameters, the iteration counter and the learning rate, applied
// to a ParamPack's flat buffers in one pass (slots live in the pack). Keras 3 rules.
#pragma once
#include <map>
#include <string>

#include "core/param_pack.h"

namespace pkc {

class Optimizer {
 public:
  Optimizer(std::string name, std::map<std::string, double> config);
  const std::string& name() const { return name_; }
  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr) { lr_ = lr; }
  int64_t iterations() const { return iterations_; }
  void set_iterations(int64_t it) { iterations_ = it; }
  double get(const std::string& key) const;  // a hyperparameter
  int num_slots() const;

  // One update of every variable of `pack` from pack.grads(); increments iterations.
  void apply(ParamPack& pack);

 private:
  std::string name_;
  std::map<std::string, double> config_;
  double lr_;
  int64_t iterations_ = 0;
};

}  // namespace pkc
