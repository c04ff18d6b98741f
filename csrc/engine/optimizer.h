// Native optimizer: Keras 3 hyperparameters, the iteration counter, the learning rate (a
// constant or a Schedule evaluated from the counter), dynamic loss scaling, gradient
// accumulation, clipping, decoupled weight decay and EMA, applied to a ParamPack in one fused
// pass per variable (ops/optimizers.h). Rule slots and gradient accumulators live in the pack;
// the EMA averages live here, in the pack's layout, so finalize_variable_values() can reach
// them after the pack's programs are gone. It never touches Python.
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
  int num_slots() const { return static_cast<int>(slot_init_.size()); }

  // Dynamic loss scaling (LossScaleOptimizer): gradients are divided by the scale; a step with
  // a non-finite gradient is skipped (scale halves); growth_steps finite steps double it.
  void enable_dynamic_loss_scale(double initial_scale, int64_t growth_steps);
  bool dynamic_loss_scale() const { return growth_steps_ > 0; }
  double dynamic_scale() const { return dynamic_scale_; }
  void set_dynamic_scale(double s) { dynamic_scale_ = s; }
  int64_t loss_scale_step_counter() const { return ls_counter_; }
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

  // EMA: the moving average of a variable of the last pack applied (empty when none), and
  // Keras's finalize_variable_values (assign each variable its average).
  std::vector<float> moving_average(const Variable& var) const;
  void finalize_variable_values(const std::vector<std::shared_ptr<Variable>>& vars);

 private:
  void configure();
  void bind(ParamPack& pack);
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
  // rule slots: the pack slot index of each UpdateSpan::slot position (-1: unused), and the
  // initial value of every pack slot this optimizer uses (accumulator slot last, if any)
  int rule_slot_[3] = {-1, -1, -1};
  std::vector<float> slot_init_;
  int acc_slot_ = -1;
  double u_product_ = 1.0;  // Nadam's running product of momentum schedules

  double dynamic_scale_ = 1.0;
  int64_t growth_steps_ = 0, ls_counter_ = 0;

  std::vector<std::shared_ptr<Variable>> decay_excluded_;
  std::vector<std::regex> decay_patterns_;

  // the pack last applied: identity, variables (kept alive for finalize), per-variable flags
  const ParamPack* pack_ = nullptr;
  std::vector<std::shared_ptr<Variable>> vars_;
  std::vector<char> decays_;
  std::vector<int64_t> offsets_;
  std::vector<double> sumsq_;
  std::vector<float> ema_;

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
