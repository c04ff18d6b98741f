// Native optimizer: Keras 3 hyperparameters, the iteration counter, the learning rate (a
// constant or a Schedule evaluated from the counter), dynamic loss scaling, gradient
// accumulation, clipping, decoupled weight decay and EMA, applied to a ParamPack in one fused
// pass per variable (ops/optimizers.h). Its per-variable state (rule slots, gradient
// accumulators, EMA averages) lives in the slots of the pack it is bound to, which it keeps
// alive; binding a new pack carries the state of the variables both packs share over, so a
// rebuilt pack (or one built by build() before training) continues where the old one was.
// It never touches Python.
#pragma once
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/param_pack.h"
#include "engine/schedules.h"
#include "ops/constraints.h"
#include "ops/optimizers.h"

namespace pkc {

// Each kind of per-variable state has a fixed pack slot, so a change of hyperparameters never
// renumbers existing state: the rule's three slots (ops/optimizers.h UpdateSpan::slot), the
// gradient accumulator and the EMA average.
enum StateSlot : int { kRuleSlot0 = 0, kRuleSlot1 = 1, kRuleSlot2 = 2, kAccumulatorSlot = 3, kAverageSlot = 4,
                       kNumStateSlots = 5 };

class Optimizer {
 public:
  // name: sgd, rmsprop, adam, adamw, adagrad, adadelta, adamax, nadam, ftrl, lion. config: the
  // rule's hyperparameters and learning_rate, plus the common options (absent means None):
  // weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
  // ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps.
  Optimizer(std::string name, std::map<std::string, double> config);
  const std::string& name() const { return name_; }

  // The learning rate of the next update (the schedule at the current iteration, if any).
  double learning_rate() const;
  void set_learning_rate(double lr);  // TypeError while a schedule is set (as Keras)
  void set_schedule(std::shared_ptr<const Schedule> schedule);  // null: back to a constant
  const std::shared_ptr<const Schedule>& schedule() const { return schedule_; }

  // Calls of apply() that reached the inner optimizer (Keras's `_iterations`): the step counter
  // schedules and dropout key on. Keras's public `iterations` is this // accumulation steps.
  int64_t iterations() const { return iterations_; }
  void set_iterations(int64_t it) { iterations_ = it; }
  double get(const std::string& key) const;  // a hyperparameter (throws when absent)
  bool has(const std::string& key) const { return config_.count(key) > 0; }
  void set(const std::string& key, double value);  // changes a hyperparameter
  int num_slots() const;  // kinds of per-variable state in use

  // Keras's `built`: true once state exists for a set of variables -- after build() or the
  // first apply(). build() creates it for `vars` (a detached pack) without touching them.
  bool built() const { return pack_ != nullptr; }
  void build(const std::vector<std::shared_ptr<Variable>>& vars);
  // The variables the state belongs to (the bound pack's), and their state of one StateSlot,
  // read and written by copy; `uses_slot` says whether this configuration keeps that state.
  const std::vector<std::shared_ptr<Variable>>& variables() const { return vars_; }
  bool uses_slot(int slot) const { return slot >= 0 && slot < kNumStateSlots && uses_[slot]; }
  std::vector<float> state(int slot, size_t var_index);
  void set_state(int slot, size_t var_index, const float* data, int64_t n);
  // Nadam's running product of momentum schedules (1 before the first step).
  double u_product() const { return u_product_; }
  void set_u_product(double u) { u_product_ = u; }

  // Dynamic loss scaling (LossScaleOptimizer): gradients are divided by the scale; a step with
  // a non-finite gradient is skipped (scale halves); growth_steps finite steps double it.
  void enable_dynamic_loss_scale(double initial_scale, int64_t growth_steps);
  bool dynamic_loss_scale() const { return growth_steps_ > 0; }
  double dynamic_scale() const { return dynamic_scale_; }
  void set_dynamic_scale(double s) { dynamic_scale_ = s; }
  int64_t loss_scale_step_counter() const { return ls_counter_; }
  void set_loss_scale_step_counter(int64_t c) { ls_counter_ = c; }
  // The factor the caller multiplies the loss by before differentiating (1 when none).
  double loss_scale() const;

  // Variables (by identity) and name patterns (regex search) that take no weight decay.
  void exclude_from_weight_decay(std::vector<std::shared_ptr<Variable>> vars, std::vector<std::string> patterns);

  // Keras's `variable.constraint`: projected onto the variable at the end of every apply()
  // (after the update, as Keras assigns constraint(variable)), keyed by variable identity and
  // kept across packs. kind: max_norm, non_neg, unit_norm, min_max_norm (ops/constraints.h);
  // an empty kind removes the variable's constraint.
  void set_constraint(std::shared_ptr<Variable> var, const std::string& kind, const std::map<std::string, double>& params,
                      std::vector<int64_t> axes);
  int num_constraints() const { return static_cast<int>(constraints_.size()); }

  // One update of every variable of `pack` from pack.grads(); increments iterations (not when
  // a dynamic loss scale skips the step). Allocates only when it first meets a pack.
  void apply(ParamPack& pack);

  // EMA: the moving average of a variable of the bound pack (empty when none), and
  // Keras's finalize_variable_values (assign each variable its average).
  std::vector<float> moving_average(const Variable& var) const;
  void finalize_variable_values(const std::vector<std::shared_ptr<Variable>>& vars);

 private:
  void configure();
  void bind(ParamPack& pack);
  void refresh();  // re-binds the bound pack after a configuration change
  float* state_span(int slot, size_t var_index, int64_t n);
  UpdateScalars step_scalars(double lr, int64_t step);
  int bound_index(const Variable* v) const;
  void bind_constraints();

  std::string name_;
  std::map<std::string, double> config_;
  UpdateRule rule_ = UpdateRule::sgd;
  double lr_ = 0;
  std::shared_ptr<const Schedule> schedule_;
  int64_t iterations_ = 0;

  // common options (0 means off)
  double weight_decay_ = 0, clipnorm_ = 0, clipvalue_ = 0, global_clipnorm_ = 0;
  bool use_ema_ = false;
  double ema_momentum_ = 0.99;
  int64_t ema_overwrite_frequency_ = 0, accumulation_steps_ = 0;
  double loss_scale_factor_ = 0;
  // which StateSlots this configuration uses and the value fresh state starts from
  bool uses_[kNumStateSlots] = {false, false, false, false, false};
  float slot_init_[kNumStateSlots] = {0.f, 0.f, 0.f, 0.f, 0.f};
  double u_product_ = 1.0;  // Nadam's running product of momentum schedules

  double dynamic_scale_ = 1.0;
  int64_t growth_steps_ = 0, ls_counter_ = 0;

  std::vector<std::shared_ptr<Variable>> decay_excluded_;
  std::vector<std::regex> decay_patterns_;

  // the bound pack: identity, ownership (null for a pack not owned by a shared_ptr, e.g. one on
  // the stack), variables, per-variable flags; layout_dirty_ asks for a re-bind of the same pack
  ParamPack* pack_ = nullptr;
  std::shared_ptr<ParamPack> bound_;
  bool layout_dirty_ = false;
  std::vector<std::shared_ptr<Variable>> vars_;
  std::vector<char> decays_;
  std::vector<int64_t> offsets_;
  std::vector<double> sumsq_;

  struct ConstraintEntry {
    std::shared_ptr<Variable> var;
    ConstraintSpec spec;
  };
  std::vector<ConstraintEntry> constraints_;
  // per variable of the bound pack (null: unconstrained); rebuilt when either side changes
  std::vector<std::unique_ptr<ConstraintKernel>> bound_constraints_;
  bool constraints_dirty_ = true;
};

}  // namespace pkc
