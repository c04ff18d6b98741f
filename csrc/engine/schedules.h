// Learning-rate schedules evaluated natively from the optimizer's iteration counter (Keras 3
// formulas: ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay,
// CosineDecay with warmup, CosineDecayRestarts). Pure functions of the step: no state, no
// Python; arguments are checked once, when the spec is built.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace pkc {

class Schedule {
 public:
  // kind: a Keras class name; args: its scalar constructor arguments; boundaries/values: for
  // PiecewiseConstantDecay. Throws ValueError on an unknown kind or a missing/invalid argument.
  Schedule(std::string kind, std::map<std::string, double> args, std::vector<double> boundaries = {},
           std::vector<double> values = {});
  const std::string& kind() const { return kind_; }
  double operator()(double step) const;

 private:
  enum class Kind { exponential, piecewise, polynomial, inverse_time, cosine, cosine_restarts };
  double arg(const std::map<std::string, double>& args, const char* key) const;
  double cosine(double step) const;
  double cosine_restarts(double step) const;

  std::string kind_;
  Kind k_;
  double initial_ = 0, decay_steps_ = 1, decay_rate_ = 0, end_ = 0, power_ = 1, alpha_ = 0;
  double warmup_target_ = 0, warmup_steps_ = 0, t_mul_ = 2, m_mul_ = 1;
  bool staircase_ = false, cycle_ = false, has_warmup_ = false;
  std::vector<double> boundaries_, values_;
};

}  // namespace pkc
