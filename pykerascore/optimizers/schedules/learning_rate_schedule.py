"""Learning-rate schedules with Keras 3 names, signatures and configs. Each built-in is a spec
for the native evaluator (engine/schedules.cpp), which the optimizer runs inside the step loop
from its iteration counter; `__call__(step)` evaluates the same native formula, so there is one
implementation. A user subclass of LearningRateSchedule works when called from Python, but the
native loop cannot run Python, so optimizers refuse it (see Optimizer._check_learning_rate).
"""

import numpy as np

from pykerascore.backend import core
from pykerascore.utils.serialization import custom_objects_in_scope


class LearningRateSchedule:
    """Base class: subclasses define `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _native_spec(self):
        raise ValueError(
            f"Learning rate schedule '{type(self).__name__}' is written in Python and cannot be evaluated inside the "
            "native training loop; use one of the built-in schedules in `keras.optimizers.schedules`."
        )


class _NativeSchedule(LearningRateSchedule):
    """A built-in schedule: its arguments become a native Schedule once, on first use."""

    _kind = None

    def _native_args(self):
        raise NotImplementedError

    def _native_spec(self):
        spec = self.__dict__.get("_spec")
        if spec is None:
            args, boundaries, values = self._native_args()
            spec = core.Schedule(self._kind, {k: float(v) for k, v in args.items()}, boundaries, values)
            self.__dict__["_spec"] = spec
        return spec

    def __setattr__(self, name, value):
        self.__dict__.pop("_spec", None)  # arguments changed: rebuild the native spec
        object.__setattr__(self, name, value)

    def __call__(self, step):
        spec = self._native_spec()
        steps = np.asarray(step, dtype="float64")
        if steps.ndim == 0:
            return np.float32(spec(float(steps)))
        return np.array([spec(float(s)) for s in steps.ravel()], dtype="float32").reshape(steps.shape)


def _check_decay_steps(value, arg="decay_steps"):
    if value <= 0:
        raise ValueError(f"Argument `{arg}` must be > 0. Received: {arg}={value}")


class ExponentialDecay(_NativeSchedule):
    _kind = "ExponentialDecay"

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps(decay_steps)

    def _native_args(self):
        return ({"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                 "decay_rate": self.decay_rate, "staircase": bool(self.staircase)}, [], [])

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(_NativeSchedule):
    _kind = "PiecewiseConstantDecay"

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def _native_args(self):
        return {}, [float(b) for b in self.boundaries], [float(v) for v in self.values]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(_NativeSchedule):
    _kind = "PolynomialDecay"

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def _native_args(self):
        return ({"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                 "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": bool(self.cycle)}, [], [])

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(_NativeSchedule):
    _kind = "InverseTimeDecay"

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps(decay_steps)

    def _native_args(self):
        return ({"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                 "decay_rate": self.decay_rate, "staircase": bool(self.staircase)}, [], [])

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecay(_NativeSchedule):
    _kind = "CosineDecay"

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _native_args(self):
        args = {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "warmup_steps": self.warmup_steps}
        if self.warmup_target is not None:  # absent means None: no warmup branch
            args["warmup_target"] = self.warmup_target
        return args, [], []

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(_NativeSchedule):
    _kind = "CosineDecayRestarts"

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_decay_steps(first_decay_steps, "first_decay_steps")

    def _native_args(self):
        return ({"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                 "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha}, [], [])

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_BY_NAME = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay,
                                     CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    """Keras's serialized form: module, class_name, config, registered_name."""
    return {"module": "keras.optimizers.schedules", "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret serialized learning rate schedule: {config!r}")
    name = config["class_name"]
    table = custom_objects_in_scope(custom_objects)
    cls = table.get(config.get("registered_name") or name) or table.get(name) or _BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"Unknown decay: '{name}'. Please ensure you are using a `keras.utils.custom_object_scope`.")
    return cls.from_config(dict(config.get("config", {})))
