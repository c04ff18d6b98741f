"""Optimizer base: Keras 3's constructor arguments, validation and config in Python; the state
and the update (rule, clipping, weight decay, accumulation, EMA, schedules) in the native
engine, which applies it in one fused pass over the model's flat parameter buffer. The state
is shown as Keras's `variables` (optimizer_variables.py), views of the native state.

It must not compute updates in Python: subclasses only name their native rule, pass their
hyperparameters to `_build_native` and list their state in Keras's order (`_state_groups`).
"""

import re
import warnings

import numpy as np

from pykerascore.backend import core
from pykerascore.optimizers import optimizer_variables
from pykerascore.optimizers.schedules import learning_rate_schedule

# Keras's base-optimizer arguments, in get_config order, with their defaults.
_BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


# The native optimizer's kinds of per-variable state (csrc/engine/optimizer.h StateSlot).
RULE_SLOT_0, RULE_SLOT_1, RULE_SLOT_2, ACCUMULATOR_SLOT, AVERAGE_SLOT = range(5)
# What Keras's base build() adds before the rule's state: EMA averages, then accumulators.
_BASE_GROUPS = ((("average", AVERAGE_SLOT),), (("gradient_accumulator", ACCUMULATOR_SLOT),))


def _snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _native_value(value):
    return float(bool(value)) if isinstance(value, bool) else float(value)


class Optimizer:
    _native_name = None  # the native update rule
    # The rule's state in the order Keras's build() adds it: groups added together are
    # interleaved variable by variable; each entry is (name suffix, native slot). Entries the
    # configuration does not use (e.g. SGD momentum at momentum=0) are left out natively.
    _state_groups = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                    f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        object.__setattr__(self, "_native", None)
        object.__setattr__(self, "_hyper", {})
        object.__setattr__(self, "_model_variables", {})  # native variable -> Keras-facing variable
        object.__setattr__(self, "_state_views", {})
        self.name = name if name is not None else _snake_case(type(self).__name__)
        self._initial_learning_rate = learning_rate
        self._base = {
            "weight_decay": weight_decay,
            "clipnorm": clipnorm,
            "global_clipnorm": global_clipnorm,
            "clipvalue": clipvalue,
            "use_ema": use_ema,
            "ema_momentum": ema_momentum,
            "ema_overwrite_frequency": ema_overwrite_frequency,
            "loss_scale_factor": loss_scale_factor,
            "gradient_accumulation_steps": gradient_accumulation_steps,
        }
        self._schedule = None
        self._check_learning_rate(learning_rate)

    @staticmethod
    def _check_learning_rate(learning_rate):
        if isinstance(learning_rate, learning_rate_schedule.LearningRateSchedule):
            learning_rate._native_spec()  # raises for schedules the engine cannot evaluate
            return
        if callable(learning_rate):
            raise ValueError(
                "A callable `learning_rate` cannot be evaluated inside the native training loop; "
                "use a float or a built-in `keras.optimizers.schedules` schedule."
            )
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of LearningRateSchedule. "
                f"Received instead: learning_rate={learning_rate}"
            )

    def _build_native(self, **hyper):
        """Creates the native optimizer from the base options and the rule's `hyper`."""
        config = {k: _native_value(v) for k, v in hyper.items()}
        for key, value in self._base.items():
            if value is not None and value is not False:
                config[key] = _native_value(value)
        lr = self._initial_learning_rate
        schedule = isinstance(lr, learning_rate_schedule.LearningRateSchedule)
        config["learning_rate"] = 0.0 if schedule else float(lr)
        object.__setattr__(self, "_hyper", dict(hyper))
        object.__setattr__(self, "_native", core.Optimizer(self._native_name, config))
        if schedule:
            self.learning_rate = lr

    # Rule hyperparameters and base options are plain attributes, as in Keras; assigning one
    # later reaches the native optimizer.
    def __getattr__(self, name):
        d = self.__dict__
        if name in d.get("_hyper", {}):
            return d["_hyper"][name]
        if name in d.get("_base", {}):
            return d["_base"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        if name in d.get("_hyper", {}) or name in d.get("_base", {}):
            store = d["_hyper"] if name in d["_hyper"] else d["_base"]
            store[name] = value
            if d.get("_native") is not None:
                self._native.set(name, 0.0 if value is None else _native_value(value))
            return
        object.__setattr__(self, name, value)

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        """As Keras: the `learning_rate` variable (a float32 view of the native value), or for a
        schedule, its value at the current step."""
        if self._schedule is not None:
            return self._native.learning_rate
        return self._view("learning_rate")

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, optimizer_variables.OptimizerVariable):
            value = float(value)
        if isinstance(value, learning_rate_schedule.LearningRateSchedule):
            self._native.schedule = value._native_spec()
            self._schedule = value
            return
        if self._schedule is not None:
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the learning rate "
                "to be settable, you should instantiate the optimizer with a float `learning_rate` argument."
            )
        self._check_learning_rate(value)
        self._native.learning_rate = float(value)

    @property
    def iterations(self):
        """Update steps taken: the `iteration` variable, or with gradient accumulation (as Keras)
        the micro-steps // gradient_accumulation_steps."""
        steps = self._base["gradient_accumulation_steps"]
        if steps:
            return self._native.iterations // steps
        return self._view("iteration")

    # ------------------------------------------------------------------ state (Keras variables)
    @property
    def built(self):
        """True once the state exists: after `build()`, which fit() and train_on_batch() call."""
        return self._native.built

    def build(self, var_list):
        """Creates the state for `var_list` (a model's trainable variables), as Keras's build;
        nothing happens if it already exists."""
        self._model_variables.update({v._native: v for v in var_list})
        if not self.built:
            self._native.build([v._native for v in var_list])

    @property
    def variables(self):
        """Keras's list: `iteration`, `learning_rate` (unless a schedule), then once built the
        state of every variable in Keras's build() order."""
        out = [self._view("iteration")]
        if self._schedule is None:
            out.append(self._view("learning_rate"))
        if self.built:
            model_vars = list(self._native.variables)
            for group in _BASE_GROUPS + tuple(self._state_groups):
                used = [(suffix, slot) for suffix, slot in group if self._native.uses_slot(slot)]
                for native_var in model_vars:
                    out.extend(self._state_view(native_var, suffix, slot) for suffix, slot in used)
            out.extend(self._extra_variables())
        return out

    def _extra_variables(self):
        """State a rule adds after the per-variable state (Nadam's `u_product`)."""
        return []

    def _view(self, key):
        views = self._state_views
        if key not in views:
            native = self._native
            if key == "iteration":
                views[key] = optimizer_variables.OptimizerVariable(
                    "iteration", f"{self.name}/iteration", (), "int32", lambda: native.iterations,
                    lambda v: setattr(native, "iterations", int(v)))
            elif key == "learning_rate":
                def set_lr(value):
                    # The variable is float32 (as Keras's): a value equal to the current rate in
                    # float32 keeps the exact native rate, so a restored run continues bit for bit.
                    if np.float32(value) != np.float32(native.learning_rate):
                        self.learning_rate = float(value)
                views[key] = optimizer_variables.OptimizerVariable(
                    "learning_rate", f"{self.name}/learning_rate", (), "float32", lambda: native.learning_rate, set_lr)
        return views[key]

    def _state_view(self, native_var, suffix, slot):
        key = (native_var, slot)
        view = self._state_views.get(key)
        if view is None:
            native = self._native
            name = optimizer_variables.state_name(self._model_variables.get(native_var, native_var), suffix)

            def index():
                for i, v in enumerate(native.variables):
                    if v is native_var:
                        return i
                raise RuntimeError(f"Optimizer variable '{name}' no longer belongs to optimizer '{self.name}': its "
                                   "model variable left the optimizer's variables.")

            view = optimizer_variables.OptimizerVariable(
                name, f"{self.name}/{name}", tuple(native_var.shape), "float32",
                lambda: native.state(slot, index()), lambda a: native.set_state(slot, index(), a))
            self._state_views[key] = view
        return view

    # ------------------------------------------------------------------ loss scaling
    @property
    def loss_scale(self):
        """The factor the trainer multiplies the loss by before differentiating (1 if none)."""
        return self._native.loss_scale

    def scale_loss(self, loss):
        factor = self._base["loss_scale_factor"]
        return loss * factor if factor is not None else loss

    # ------------------------------------------------------------------ weight decay, EMA
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (objects) and name patterns (regex search) that take no weight decay."""
        natives = [v._native for v in (var_list or [])]
        self._native.exclude_from_weight_decay(natives, list(set(var_names or [])))

    def finalize_variable_values(self, var_list):
        """With `use_ema`, gives each variable its moving average (called at the end of fit)."""
        if self._base["use_ema"]:
            self._native.finalize_variable_values([v._native for v in var_list])

    # ------------------------------------------------------------------ config
    def get_config(self):
        if self._schedule is not None:
            learning_rate = learning_rate_schedule.serialize(self._schedule)
        else:
            learning_rate = float(self._native.learning_rate)
        return {"name": self.name, "learning_rate": learning_rate, **self._base, **self._hyper}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = learning_rate_schedule.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} learning_rate={float(self.learning_rate):g}>"
