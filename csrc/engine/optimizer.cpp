// Optimizer step logic in Keras 3's order: loss-scale check and unscale, gradient
// accumulation, clipping, decoupled weight decay, the rule, EMA -- the per-step scalars are
// formed here and every element is touched by one fused kernel pass per variable.
#include "engine/optimizer.h"

#include "core/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace pkc {

namespace {

struct RuleInfo {
  const char* name;
  UpdateRule rule;
};
const RuleInfo kRules[] = {{"sgd", UpdateRule::sgd},       {"rmsprop", UpdateRule::rmsprop}, {"adam", UpdateRule::adam},
                           {"adamw", UpdateRule::adam},    {"adagrad", UpdateRule::adagrad}, {"adadelta", UpdateRule::adadelta},
                           {"adamax", UpdateRule::adamax}, {"nadam", UpdateRule::nadam},     {"ftrl", UpdateRule::ftrl},
                           {"lion", UpdateRule::lion}};

}  // namespace

Optimizer::Optimizer(std::string name, std::map<std::string, double> config)
    : name_(std::move(name)), config_(std::move(config)) {
  bool known = false;
  for (const RuleInfo& r : kRules)
    if (name_ == r.name) rule_ = r.rule, known = true;
  PKC_CHECK(known, Value, "unknown optimizer '", name_, "'");
  lr_ = get("learning_rate");
  configure();
}

double Optimizer::get(const std::string& key) const {
  auto it = config_.find(key);
  PKC_CHECK(it != config_.end(), Value, "optimizer '", name_, "' has no hyperparameter '", key, "'");
  return it->second;
}

void Optimizer::set(const std::string& key, double value) {
  PKC_CHECK(key != "learning_rate", Value, "set the learning rate with set_learning_rate()");
  config_[key] = value;
  configure();
  layout_dirty_ = true;  // the state in use may have changed: re-bind before the next use
}

void Optimizer::configure() {
  auto opt = [&](const char* key, double dflt) { return has(key) ? get(key) : dflt; };
  weight_decay_ = opt("weight_decay", 0);
  clipnorm_ = opt("clipnorm", 0);
  clipvalue_ = opt("clipvalue", 0);
  global_clipnorm_ = opt("global_clipnorm", 0);
  use_ema_ = opt("use_ema", 0) != 0;
  ema_momentum_ = opt("ema_momentum", 0.99);
  ema_overwrite_frequency_ = static_cast<int64_t>(opt("ema_overwrite_frequency", 0));
  loss_scale_factor_ = opt("loss_scale_factor", 0);
  accumulation_steps_ = static_cast<int64_t>(opt("gradient_accumulation_steps", 0));
  PKC_CHECK(accumulation_steps_ == 0 || accumulation_steps_ >= 2, Value,
            "`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps=",
            accumulation_steps_);

  // Which rule slots are in use; Adagrad's and Ftrl's accumulators start at
  // initial_accumulator_value.
  bool* use = uses_;
  float* init = slot_init_;
  for (int k = 0; k < kNumStateSlots; ++k) use[k] = false, init[k] = 0.f;
  switch (rule_) {
    case UpdateRule::sgd: use[0] = get("momentum") != 0.0; break;
    case UpdateRule::rmsprop:
      use[0] = true;
      use[1] = get("momentum") > 0.0;
      use[2] = get("centered") != 0.0;
      break;
    case UpdateRule::adam: use[0] = use[1] = true, use[2] = get("amsgrad") != 0.0; break;
    case UpdateRule::adagrad:
      use[0] = true;
      init[0] = static_cast<float>(get("initial_accumulator_value"));
      break;
    case UpdateRule::ftrl:
      use[0] = use[1] = true;
      init[0] = static_cast<float>(get("initial_accumulator_value"));
      break;
    case UpdateRule::adadelta:
    case UpdateRule::adamax:
    case UpdateRule::nadam: use[0] = use[1] = true; break;
    case UpdateRule::lion: use[0] = true; break;
  }
  use[kAccumulatorSlot] = accumulation_steps_ != 0;
  use[kAverageSlot] = use_ema_;
}

int Optimizer::num_slots() const {
  int n = 0;
  for (bool u : uses_) n += u;
  return n;
}

double Optimizer::learning_rate() const {
  return schedule_ ? (*schedule_)(static_cast<double>(iterations_)) : lr_;
}

void Optimizer::set_learning_rate(double lr) {
  PKC_CHECK(!schedule_, Type,
            "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor "
            "argument, hence its learning rate is not settable. If you need the learning rate to be settable, you "
            "should instantiate the optimizer with a float `learning_rate` argument.");
  lr_ = lr;
}

void Optimizer::set_schedule(std::shared_ptr<const Schedule> schedule) { schedule_ = std::move(schedule); }

void Optimizer::enable_dynamic_loss_scale(double initial_scale, int64_t growth_steps) {
  PKC_CHECK(growth_steps >= 1, Value, "dynamic_growth_steps must be >= 1, got ", growth_steps);
  dynamic_scale_ = initial_scale;
  growth_steps_ = growth_steps;
  ls_counter_ = 0;
}

double Optimizer::loss_scale() const {
  if (dynamic_loss_scale()) return dynamic_scale_;
  return loss_scale_factor_ != 0 ? loss_scale_factor_ : 1.0;
}

void Optimizer::exclude_from_weight_decay(std::vector<std::shared_ptr<Variable>> vars, std::vector<std::string> patterns) {
  decay_excluded_ = std::move(vars);
  decay_patterns_.clear();
  for (const std::string& p : patterns) {
    try {
      decay_patterns_.emplace_back(p);
    } catch (const std::regex_error& e) {
      PKC_THROW(Value, "exclude_from_weight_decay: invalid pattern '", p, "': ", e.what());
    }
  }
  layout_dirty_ = true;
}

void Optimizer::build(const std::vector<std::shared_ptr<Variable>>& vars) {
  if (built()) return;  // as Keras: building twice keeps the state
  auto pack = std::make_shared<ParamPack>(vars, /*attach=*/false);
  bind(*pack);
}

void Optimizer::bind(ParamPack& pack) {
  const auto& vars = pack.variables();
  bool same = pack_ == &pack && vars.size() == vars_.size();
  for (size_t i = 0; same && i < vars.size(); ++i) same = vars[i].get() == vars_[i].get();
  if (same && !layout_dirty_) return;
  // State this configuration uses but the pack lacks starts at the rule's initial value; on a
  // new pack, the state of every variable the previous pack also held is carried over.
  ParamPack* old = same ? nullptr : bound_.get();
  for (int k = 0; k < kNumStateSlots; ++k) {
    if (!uses_[k]) continue;
    const bool fresh = !pack.has_slot(k);
    float* s = pack.slot(k);
    if (fresh && slot_init_[k] != 0.f)
      for (int64_t i = 0; i < pack.size(); ++i) s[i] = slot_init_[k];
    if (old == nullptr || !old->has_slot(k)) continue;
    const float* from = old->slot(k);
    for (size_t i = 0; i < vars.size(); ++i) {
      const int j = old->index_of(vars[i].get());
      if (j >= 0) std::memcpy(s + pack.offset(i), from + old->offset(j), sizeof(float) * vars[i]->numel());
    }
  }
  if (!same) {
    pack_ = &pack;
    bound_ = pack.weak_from_this().lock();  // null for a pack not owned by a shared_ptr
    vars_ = vars;
  }
  layout_dirty_ = false;
  decays_.assign(vars.size(), 1);
  offsets_.resize(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    offsets_[i] = pack.offset(i);
    for (auto& ex : decay_excluded_)
      if (ex.get() == vars[i].get()) decays_[i] = 0;
    for (auto& re : decay_patterns_)
      if (std::regex_search(vars[i]->name(), re)) decays_[i] = 0;
  }
  sumsq_.assign(vars.size(), 0.0);
  constraints_dirty_ = true;
}

void Optimizer::refresh() {
  PKC_CHECK(built(), Runtime, "optimizer '", name_, "' has no state yet: build it or run a training step first");
  if (layout_dirty_) bind(*pack_);
}

float* Optimizer::state_span(int slot, size_t var_index, int64_t n) {
  refresh();
  PKC_CHECK(uses_slot(slot), Value, "optimizer '", name_, "' keeps no state of kind ", slot);
  PKC_CHECK(var_index < vars_.size(), Index, "optimizer '", name_, "': variable index ", var_index, " out of range (",
            vars_.size(), " variables)");
  PKC_CHECK(n == vars_[var_index]->numel(), Value, "optimizer state of variable '", vars_[var_index]->name(),
            "' has ", vars_[var_index]->numel(), " values, got ", n);
  return pack_->slot(slot) + offsets_[var_index];
}

std::vector<float> Optimizer::state(int slot, size_t var_index) {
  const int64_t n = var_index < vars_.size() ? vars_[var_index]->numel() : 0;
  const float* s = state_span(slot, var_index, n);
  return std::vector<float>(s, s + n);
}

void Optimizer::set_state(int slot, size_t var_index, const float* data, int64_t n) {
  std::memcpy(state_span(slot, var_index, n), data, sizeof(float) * n);
}

void Optimizer::set_constraint(std::shared_ptr<Variable> var, const std::string& kind,
                               const std::map<std::string, double>& params, std::vector<int64_t> axes) {
  PKC_CHECK(var != nullptr, Value, "set_constraint: no variable given");
  auto it = std::find_if(constraints_.begin(), constraints_.end(), [&](const ConstraintEntry& e) { return e.var == var; });
  if (kind.empty()) {
    if (it != constraints_.end()) constraints_.erase(it);
  } else {
    ConstraintSpec spec = make_constraint_spec(kind, params, std::move(axes), var->name());
    ConstraintKernel check(spec, var->shape(), var->name());  // bad axes fail here, not mid-fit
    if (it != constraints_.end()) it->spec = std::move(spec);
    else constraints_.push_back({std::move(var), std::move(spec)});
  }
  constraints_dirty_ = true;
}

void Optimizer::bind_constraints() {
  bound_constraints_.clear();
  bound_constraints_.resize(vars_.size());
  for (size_t i = 0; i < vars_.size(); ++i)
    for (const ConstraintEntry& e : constraints_)
      if (e.var.get() == vars_[i].get())
        bound_constraints_[i] = std::make_unique<ConstraintKernel>(e.spec, vars_[i]->shape(), vars_[i]->name());
  constraints_dirty_ = false;
}

UpdateScalars Optimizer::step_scalars(double lr, int64_t step) {
  UpdateScalars s;
  s.lr = lr;
  const double t = static_cast<double>(step + 1);
  switch (rule_) {
    case UpdateRule::sgd:
      s.momentum = get("momentum");
      s.nesterov = get("nesterov") != 0.0;
      break;
    case UpdateRule::rmsprop:
      s.rho = get("rho");
      s.momentum = get("momentum");
      s.epsilon = get("epsilon");
      s.centered = get("centered") != 0.0;
      break;
    case UpdateRule::adam:
      s.beta_1 = get("beta_1");
      s.beta_2 = get("beta_2");
      s.epsilon = get("epsilon");
      s.alpha = lr * std::sqrt(1.0 - std::pow(s.beta_2, t)) / (1.0 - std::pow(s.beta_1, t));
      break;
    case UpdateRule::adagrad: s.epsilon = get("epsilon"); break;
    case UpdateRule::adadelta:
      s.rho = get("rho");
      s.epsilon = get("epsilon");
      break;
    case UpdateRule::adamax:
      s.beta_1 = get("beta_1");
      s.beta_2 = get("beta_2");
      s.epsilon = get("epsilon");
      s.beta_1_power = std::pow(s.beta_1, t);
      break;
    case UpdateRule::nadam:
      s.beta_1 = get("beta_1");
      s.beta_2 = get("beta_2");
      s.epsilon = get("epsilon");
      s.u_t = s.beta_1 * (1.0 - 0.5 * std::pow(0.96, t));
      s.u_t_1 = s.beta_1 * (1.0 - 0.5 * std::pow(0.96, t + 1.0));
      // Keras updates the product once per step, before the variables, and keeps it in float32
      // (so a product restored from a saved file continues exactly).
      u_product_ = static_cast<float>(u_product_ * s.u_t);
      s.u_product_t = u_product_;
      s.u_product_t_1 = u_product_ * s.u_t_1;
      s.beta_2_power = std::pow(s.beta_2, t);
      break;
    case UpdateRule::ftrl:
      s.lr_power = get("learning_rate_power");
      s.l1 = get("l1_regularization_strength");
      s.l2 = get("l2_regularization_strength") + get("beta") / (2.0 * lr);
      s.l2_shrinkage = get("l2_shrinkage_regularization_strength");
      break;
    case UpdateRule::lion:
      s.beta_1 = get("beta_1");
      s.beta_2 = get("beta_2");
      break;
  }
  return s;
}

void Optimizer::apply(ParamPack& pack) {
  PKC_CHECK(pack.attached(), Value, "optimizer '", name_, "' cannot apply updates to a detached pack");
  bind(pack);
  if (constraints_dirty_) bind_constraints();
  const size_t nv = vars_.size();
  // Every path below leaves the gradients zero: programs accumulate the next step's weight
  // gradients straight into them (dense_weight_grad with "accumulate").
  float* grads = pack.grads();
  float* params = pack.params();
  float* acc = uses_[kAccumulatorSlot] ? pack.slot(kAccumulatorSlot) : nullptr;
  float* ema = use_ema_ ? pack.slot(kAverageSlot) : nullptr;

  float grad_scale = 1.f;
  if (dynamic_loss_scale()) {
    bool finite = true;
    for (size_t i = 0; i < nv && finite; ++i) finite = all_finite(grads + pack.offset(i), vars_[i]->numel());
    if (!finite) {  // skip the step: nothing but the scale changes
      dynamic_scale_ *= 0.5;
      ls_counter_ = 0;
      std::fill(grads, grads + pack.size(), 0.f);
      return;
    }
    grad_scale = static_cast<float>(1.0 / dynamic_scale_);
  } else if (loss_scale_factor_ != 0) {
    grad_scale = static_cast<float>(1.0 / loss_scale_factor_);
  }

  // Keras's public `iterations` (per accumulated update) drives bias corrections and the EMA;
  // the raw counter drives the learning-rate schedule.
  const int64_t step = accumulation_steps_ ? iterations_ / accumulation_steps_ : iterations_;
  const bool update = !accumulation_steps_ || (iterations_ + 1) % accumulation_steps_ == 0;
  const float ema_m = step != 0 ? static_cast<float>(ema_momentum_) : 0.f;
  const bool overwrite = use_ema_ && ema_overwrite_frequency_ > 0 && (step + 1) % ema_overwrite_frequency_ == 0;

  if (!update) {
    for (size_t i = 0; i < nv; ++i) {
      const int64_t off = pack.offset(i), n = vars_[i]->numel();
      accumulate_gradient(acc + off, grads + off, n, grad_scale);
      if (ema) ema_update(ema + off, params + off, n, ema_m, overwrite);
    }
    std::fill(grads, grads + pack.size(), 0.f);
  } else {
    const double lr = learning_rate();
    const UpdateScalars scalars = step_scalars(lr, step);
    const float acc_scale = accumulation_steps_ ? static_cast<float>(1.0 / accumulation_steps_) : 1.f;
    double global_scale = 1.0;
    if (clipnorm_ > 0 || global_clipnorm_ > 0) {
      double total = 0;
      for (size_t i = 0; i < nv; ++i) {
        const int64_t off = pack.offset(i);
        sumsq_[i] = gradient_sum_of_squares(grads + off, acc ? acc + off : nullptr, vars_[i]->numel(), grad_scale, acc_scale);
        total += sumsq_[i];
      }
      if (clipnorm_ <= 0) {
        // Keras: c * min(1/norm, 1/c), plus (norm - norm) so a non-finite norm propagates
        const double norm = std::sqrt(total);
        global_scale = global_clipnorm_ * std::min(1.0 / norm, 1.0 / global_clipnorm_) + (norm - norm);
      }
    }
    for (size_t i = 0; i < nv; ++i) {
      const int64_t off = pack.offset(i);
      UpdateSpan sp;
      sp.p = params + off;
      sp.g = grads + off;
      sp.zero_grad = true;
      for (int k = 0; k < 3; ++k) sp.slot[k] = uses_[k] ? pack.slot(k) + off : nullptr;
      sp.n = vars_[i]->numel();
      sp.grad_scale = grad_scale;
      if (acc) {
        sp.acc = acc + off;
        sp.acc_scale = acc_scale;
      }
      if (clipnorm_ > 0) sp.clip_scale = static_cast<float>(clipnorm_ / std::max(std::sqrt(sumsq_[i]), clipnorm_));
      else if (global_clipnorm_ > 0) sp.clip_scale = static_cast<float>(global_scale);
      else if (clipvalue_ > 0) sp.clip_value = static_cast<float>(clipvalue_);
      if (weight_decay_ != 0 && decays_[i]) sp.decay = static_cast<float>(weight_decay_ * lr);
      if (ema) {
        sp.ema = ema + off;
        sp.ema_momentum = ema_m;
        sp.ema_overwrite = overwrite;
      }
      // Large variables are split into contiguous chunks across the engine threads; each
      // element's update is independent, so the result is the same for any thread count.
      parallel_for(sp.n, 32 * 1024, [&](int64_t b, int64_t e) {
        UpdateSpan part = sp;
        part.p += b;
        part.g += b;
        for (float*& s : part.slot)
          if (s) s += b;
        if (part.acc) part.acc += b;
        if (part.ema) part.ema += b;
        part.n = e - b;
        apply_update(rule_, scalars, part);
      });
    }
  }
  // Keras applies each constraint after every apply(), accumulation-only steps included.
  for (size_t i = 0; i < nv; ++i)
    if (bound_constraints_[i]) bound_constraints_[i]->apply(params + pack.offset(i));
  ++iterations_;
  if (dynamic_loss_scale()) {
    if (ls_counter_ == growth_steps_ - 1) {
      ls_counter_ = 0;
      dynamic_scale_ *= 2.0;
    } else {
      ++ls_counter_;
    }
  }
}

int Optimizer::bound_index(const Variable* v) const {
  for (size_t i = 0; i < vars_.size(); ++i)
    if (vars_[i].get() == v) return static_cast<int>(i);
  return -1;
}

std::vector<float> Optimizer::moving_average(const Variable& var) const {
  int i = bound_index(&var);
  if (i < 0 || !use_ema_ || pack_ == nullptr || !pack_->has_slot(kAverageSlot)) return {};
  const float* ema = pack_->slot(kAverageSlot) + offsets_[i];
  return std::vector<float>(ema, ema + var.numel());
}

void Optimizer::finalize_variable_values(const std::vector<std::shared_ptr<Variable>>& vars) {
  if (!use_ema_ || pack_ == nullptr) return;
  for (auto& v : vars) {
    std::vector<float> avg = moving_average(*v);
    if (!avg.empty()) v->assign(avg.data(), DType::float32, v->numel());
  }
}

}  // namespace pkc
