// Keras 3 learning-rate schedule formulas, in double precision (Keras evaluates them in
// float32; the value is rounded to float32 when it reaches the update kernels).
#include "engine/schedules.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace pkc {

namespace {
const double kPi = 3.14159265358979323846;
}

double Schedule::arg(const std::map<std::string, double>& args, const char* key) const {
  auto it = args.find(key);
  PKC_CHECK(it != args.end(), Value, "schedule ", kind_, " needs argument '", key, "'");
  return it->second;
}

Schedule::Schedule(std::string kind, std::map<std::string, double> args, std::vector<double> boundaries,
                   std::vector<double> values)
    : kind_(std::move(kind)), boundaries_(std::move(boundaries)), values_(std::move(values)) {
  auto opt = [&](const char* key, double dflt) {
    auto it = args.find(key);
    return it == args.end() ? dflt : it->second;
  };
  if (kind_ == "PiecewiseConstantDecay") {
    k_ = Kind::piecewise;
    PKC_CHECK(!values_.empty() && boundaries_.size() + 1 == values_.size(), Value,
              "PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values, got ",
              boundaries_.size(), " boundaries and ", values_.size(), " values");
    return;
  }
  initial_ = arg(args, "initial_learning_rate");
  if (kind_ == "CosineDecayRestarts") {
    k_ = Kind::cosine_restarts;
    decay_steps_ = arg(args, "first_decay_steps");
    PKC_CHECK(decay_steps_ > 0, Value, "Argument `first_decay_steps` must be > 0. Received: first_decay_steps=", decay_steps_);
    t_mul_ = opt("t_mul", 2.0);
    m_mul_ = opt("m_mul", 1.0);
    alpha_ = opt("alpha", 0.0);
    return;
  }
  decay_steps_ = arg(args, "decay_steps");
  PKC_CHECK(decay_steps_ > 0, Value, "Argument `decay_steps` must be > 0. Received: decay_steps=", decay_steps_);
  if (kind_ == "ExponentialDecay" || kind_ == "InverseTimeDecay") {
    k_ = kind_ == "ExponentialDecay" ? Kind::exponential : Kind::inverse_time;
    decay_rate_ = arg(args, "decay_rate");
    staircase_ = opt("staircase", 0.0) != 0.0;
  } else if (kind_ == "PolynomialDecay") {
    k_ = Kind::polynomial;
    end_ = opt("end_learning_rate", 1e-4);
    power_ = opt("power", 1.0);
    cycle_ = opt("cycle", 0.0) != 0.0;
  } else if (kind_ == "CosineDecay") {
    k_ = Kind::cosine;
    alpha_ = opt("alpha", 0.0);
    has_warmup_ = args.count("warmup_target") > 0;  // absent means warmup_target=None
    warmup_target_ = opt("warmup_target", 0.0);
    warmup_steps_ = opt("warmup_steps", 0.0);
  } else {
    PKC_THROW(Value, "unknown learning rate schedule '", kind_, "'");
  }
}

double Schedule::operator()(double step) const {
  switch (k_) {
    case Kind::exponential: {
      double p = step / decay_steps_;
      if (staircase_) p = std::floor(p);
      return initial_ * std::pow(decay_rate_, p);
    }
    case Kind::inverse_time: {
      double p = step / decay_steps_;
      if (staircase_) p = std::floor(p);
      return initial_ / (1.0 + decay_rate_ * p);
    }
    case Kind::piecewise: {
      // step <= b[0] -> v[0]; b[i-1] < step <= b[i] -> v[i]; step > b[last] -> v[last]
      size_t i = 0;
      while (i < boundaries_.size() && step > boundaries_[i]) ++i;
      return values_[i];
    }
    case Kind::polynomial: {
      double steps = decay_steps_;
      if (cycle_) steps *= step == 0 ? 1.0 : std::ceil(step / decay_steps_);
      else step = std::min(step, steps);
      return (initial_ - end_) * std::pow(1.0 - step / steps, power_) + end_;
    }
    case Kind::cosine: return cosine(step);
    case Kind::cosine_restarts: return cosine_restarts(step);
  }
  return 0.0;
}

double Schedule::cosine(double step) const {
  auto decay = [&](double s, double from) {
    double c = 0.5 * (1.0 + std::cos(kPi * (s / decay_steps_)));
    return from * ((1.0 - alpha_) * c + alpha_);
  };
  if (!has_warmup_) return decay(std::min(step, decay_steps_), initial_);
  step = std::min(step, decay_steps_ + warmup_steps_);
  if (step < warmup_steps_) return (warmup_target_ - initial_) * (step / warmup_steps_) + initial_;
  return decay(step - warmup_steps_, warmup_target_);
}

double Schedule::cosine_restarts(double step) const {
  double fraction = step / decay_steps_, restart;
  if (t_mul_ == 1.0) {
    restart = std::floor(fraction);
    fraction -= restart;
  } else {
    // restart i begins after sum_{j<i} t_mul^j = (1 - t_mul^i) / (1 - t_mul) decay periods
    restart = std::floor(std::log(1.0 - fraction * (1.0 - t_mul_)) / std::log(t_mul_));
    double done = (1.0 - std::pow(t_mul_, restart)) / (1.0 - t_mul_);
    fraction = (fraction - done) / std::pow(t_mul_, restart);
  }
  double c = 0.5 * std::pow(m_mul_, restart) * (1.0 + std::cos(kPi * fraction));
  return initial_ * ((1.0 - alpha_) * c + alpha_);
}

}  // namespace pkc
