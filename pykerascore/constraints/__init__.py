"""pykerascore.constraints: Keras 3 weight constraints (MaxNorm, NonNeg, UnitNorm, MinMaxNorm and
their snake_case names), `get / serialize / deserialize`, and `attach()`, which hands the
constraints of a model's trainable variables to its native optimizer (applied after every
update, inside the step loop)."""

from pykerascore.utils.serialization import Registry
from pykerascore.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)


_REGISTRY = Registry("constraint", "keras.constraints", _CLASSES[0], _CLASSES)
ALL_OBJECTS_DICT = _REGISTRY.objects

max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def serialize(constraint):
    return _REGISTRY.serialize(constraint)


def deserialize(config, custom_objects=None):
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """A constraint from a name, a config dict, a class, an instance or a callable."""
    return _REGISTRY.get(identifier)


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
