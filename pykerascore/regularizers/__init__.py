"""pykerascore.regularizers: Keras 3 regularizers (L1, L2, L1L2, OrthogonalRegularizer, the
l1/l2/l1_l2/orthogonal_regularizer aliases) and `get / serialize / deserialize`. The classes
live in regularizers.py; this file only resolves identifiers."""

import inspect
import re

from pykerascore.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


# Keras's string table: class names and their snake_case forms ("l1l2", not "l1_l2").
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in _CLASSES})

l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer):
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
                "config": regularizer.get_config(), "registered_name": None}
    if callable(regularizer) and hasattr(regularizer, "__name__"):
        return {"module": getattr(regularizer, "__module__", None), "class_name": "function",
                "config": regularizer.__name__, "registered_name": "function"}
    raise ValueError(f"Cannot serialize regularizer {regularizer!r}")


def deserialize(config, custom_objects=None):
    table = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret regularizer identifier: {config}")
    cls = table.get(config.get("registered_name") or config["class_name"]) or table.get(config["class_name"])
    if cls is None:
        raise ValueError(f"Could not interpret regularizer identifier: {config['class_name']}")
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A regularizer from a name, a config dict, a class, an instance or a callable."""
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
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")


__all__ = [cls.__name__ for cls in _CLASSES] + ["l1", "l2", "l1_l2", "orthogonal_regularizer", "get", "serialize",
                                                 "deserialize"]
