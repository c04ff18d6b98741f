"""pykerascore.initializers: Keras 3 weight initializers (classes, snake_case names and aliases)
and `get / serialize / deserialize`. The classes live in initializer.py (base),
constant_initializers.py and random_initializers.py; this file only resolves identifiers."""

import inspect
import re

import numpy as np

from pykerascore.utils.serialization import custom_objects_in_scope
from pykerascore.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from pykerascore.initializers.initializer import Initializer
from pykerascore.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)

_CLASSES = (Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
            LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling)


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


# Keras's lookup table: class names, their snake_case forms, and its aliases (case-sensitive).
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"IdentityInitializer": Identity, "normal": RandomNormal, "one": Ones,
                         "OrthogonalInitializer": Orthogonal, "uniform": RandomUniform, "zero": Zeros})

# snake_case function-style names, as `keras.initializers.glorot_uniform` etc.
constant, identity, ones, zeros = Constant, Identity, Ones, Zeros
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, HeUniform
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal, variance_scaling = RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal


def serialize(initializer):
    """Keras's {module, class_name, config, registered_name} dict (None for None)."""
    if initializer is None:
        return None
    if isinstance(initializer, Initializer):
        return {"module": "keras.initializers", "class_name": type(initializer).__name__,
                "config": initializer.get_config(), "registered_name": None}
    if callable(initializer) and hasattr(initializer, "__name__"):
        return {"module": getattr(initializer, "__module__", None), "class_name": "function",
                "config": initializer.__name__, "registered_name": "function"}
    raise ValueError(f"Cannot serialize initializer {initializer!r}")


def deserialize(config, custom_objects=None):
    """An Initializer from `serialize()`'s dict (or a bare class name)."""
    table = {**ALL_OBJECTS_DICT, **custom_objects_in_scope(custom_objects)}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret initializer identifier: {config}")
    name = config.get("registered_name") or config["class_name"]
    cls = table.get(name) or table.get(config["class_name"])
    if cls is None:
        raise ValueError(f"Could not interpret initializer identifier: {config['class_name']}")
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(dict(config.get("config") or {}))


def _from_array(value):
    value = np.asarray(value)

    def initialize_fn(shape, dtype=None):
        if tuple(int(d) for d in shape) != value.shape:
            raise ValueError(f"Expected `shape` to be {value.shape} for direct tensor as initializer. Received shape={shape}")
        return value.astype(dtype or "float32")

    return initialize_fn


def get(identifier):
    """An initializer from a name, a config dict, a class, an instance, a callable
    `fn(shape, dtype=None)` or an array of the exact values (as keras.initializers.get)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    elif isinstance(identifier, (np.ndarray, np.generic)):
        obj = _from_array(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


__all__ = [cls.__name__ for cls in _CLASSES] + ["compute_fans", "get", "serialize", "deserialize"]
