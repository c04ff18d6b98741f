"""pykerascore.constraints: Keras 3 weight constraints (MaxNorm, NonNeg, UnitNorm, MinMaxNorm and
their snake_case names), `get / serialize / deserialize`, and `attach()`, which hands the
constraints of a model's trainable variables to its native optimizer (applied after every
update, inside the step loop)."""

import inspect
import re

from pykerascore.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in _CLASSES})

max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def serialize(constraint):
    if constraint is None:
        return None
    if isinstance(constraint, Constraint):
        return {"module": "keras.constraints", "class_name": type(constraint).__name__,
                "config": constraint.get_config(), "registered_name": None}
    if callable(constraint) and hasattr(constraint, "__name__"):
        return {"module": getattr(constraint, "__module__", None), "class_name": "function",
                "config": constraint.__name__, "registered_name": "function"}
    raise ValueError(f"Cannot serialize constraint {constraint!r}")


def deserialize(config, custom_objects=None):
    table = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret constraint identifier: {config}")
    cls = table.get(config.get("registered_name") or config["class_name"]) or table.get(config["class_name"])
    if cls is None:
        raise ValueError(f"Could not interpret constraint identifier: {config['class_name']}")
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A constraint from a name, a config dict, a class, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")


def attach(optimizer, variables):
    """Registers each variable's `constraint` (or its absence) with the native optimizer, which
    projects the variable after every update. Only the built-in constraints have a native
    form; any other raises, since the step loop never returns to Python."""
    native = optimizer._native
    for v in variables:
        c = getattr(v, "constraint", None)
        spec = c.native_spec(v.shape) if isinstance(c, Constraint) and type(c).__call__ is _builtin_call(c) else None
        if c is not None and spec is None:
            raise ValueError(
                f"Variable '{v.path}' has the constraint {c!r}; pykerascore applies constraints inside the native "
                "optimizer step and supports only MaxNorm, NonNeg, UnitNorm and MinMaxNorm there."
            )
        if spec is None:
            native.set_constraint(v._native, "")
        else:
            kind, params, axes = spec
            native.set_constraint(v._native, kind, params, axes)


def _builtin_call(c):
    """The __call__ of the built-in class `c` derives from (a subclass overriding it is custom)."""
    for cls in type(c).__mro__:
        if cls in _CLASSES and cls is not Constraint:
            return cls.__call__
    return None


__all__ = [cls.__name__ for cls in _CLASSES] + ["max_norm", "min_max_norm", "non_neg", "unit_norm", "get",
                                                 "serialize", "deserialize", "attach"]
