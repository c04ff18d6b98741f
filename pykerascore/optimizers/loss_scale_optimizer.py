"""LossScaleOptimizer: dynamic loss scaling around an inner optimizer (Keras 3 semantics). The
trainer multiplies the loss by `dynamic_scale` (`loss_scale`, `scale_loss()`); the native
optimizer divides the gradients by it, skips the step and halves the scale when a gradient is
not finite, and doubles it after `dynamic_growth_steps` finite steps. It shares the inner
optimizer's native state; it computes nothing in Python. Its `variables` are Keras's: its own
(unused) `iteration` and `learning_rate`, `step_counter`, `dynamic_scale`, then the inner
optimizer's."""

from pykerascore.optimizers import optimizer_variables
from pykerascore.optimizers.optimizer import _BASE_DEFAULTS, Optimizer


class LossScaleOptimizer(Optimizer):
    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set `loss_scale_factor` "
                "directly on the `inner_optimizer`."
            )
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set `{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs.keys())}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(f"`inner_optimizer` must be an Optimizer instance, got {inner_optimizer!r}")
        super().__init__(0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        inner_optimizer.loss_scale_factor = None  # as Keras: the dynamic scale replaces it
        object.__setattr__(self, "_native", inner_optimizer._native)
        self._native.enable_dynamic_loss_scale(float(initial_scale), int(dynamic_growth_steps))

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def dynamic_scale(self):
        return self._native.dynamic_scale

    @property
    def step_counter(self):
        return self._native.loss_scale_step_counter

    def build(self, var_list):
        self.inner_optimizer.build(var_list)

    @property
    def variables(self):
        views = self._state_views
        if "step_counter" not in views:
            native, name = self._native, self.name
            views["own"] = [optimizer_variables.Held("iteration", f"{name}/iteration", "int32", 0),
                            optimizer_variables.Held("learning_rate", f"{name}/learning_rate", "float32", 0.0)]
            views["step_counter"] = optimizer_variables.OptimizerVariable(
                "step_counter", f"{name}/step_counter", (), "int32", lambda: native.loss_scale_step_counter,
                lambda v: setattr(native, "loss_scale_step_counter", int(v)))
            views["dynamic_scale"] = optimizer_variables.OptimizerVariable(
                "dynamic_scale", f"{name}/dynamic_scale", (), "float32", lambda: native.dynamic_scale,
                lambda v: setattr(native, "dynamic_scale", float(v)))
        return views["own"] + [views["step_counter"], views["dynamic_scale"]] + self.inner_optimizer.variables

    def scale_loss(self, loss):
        return loss * self.dynamic_scale

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        self.inner_optimizer.exclude_from_weight_decay(var_list, var_names)

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from pykerascore.optimizers import serialize

        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from pykerascore.optimizers import deserialize

        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
