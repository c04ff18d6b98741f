"""Keras 3's envelope `{module, class_name, config, registered_name}` for the objects a saved
model refers to outside its layers (losses, metrics, optimizers in the compile config), and the
way back. Built-in objects are named by their public Keras module; user objects by their Python
module and registered name, and are found again only through custom objects (never imported)."""

import inspect
import types

from pykerascore.utils import serialization

# (public Keras module, family package attribute, base class attribute)
_FAMILIES = (
    ("keras.losses", "losses", "Loss"),
    ("keras.metrics", "metrics", "Metric"),
    ("keras.optimizers", "optimizers", "Optimizer"),
)


def _family_of(obj):
    import pykerascore

    for module, package, base in _FAMILIES:
        family = getattr(pykerascore, package)
        if isinstance(obj, getattr(family, base)):
            return module, family
    return None, None


def _is_builtin(family, cls):
    table = getattr(family, "ALL_OBJECTS_DICT", None) or getattr(family, "_BY_NAME", {})
    return table.get(cls.__name__) is cls or table.get(cls.__name__.lower()) is cls


def serialize_object(obj):
    """Plain values stay as they are, containers are mapped, objects get Keras's envelope."""
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType) or (callable(obj) and not hasattr(obj, "get_config")):
        # Keras writes every function the same way: the (registered) name in `config`.
        return {"module": "builtins", "class_name": "function",
                "config": serialization.get_registered_name(obj), "registered_name": "function"}
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}: it has no get_config() method.")
    config = serialize_object(obj.get_config())
    module, family = _family_of(obj)
    if family is not None and _is_builtin(family, type(obj)):
        return {"module": module, "class_name": type(obj).__name__, "config": config, "registered_name": None}
    return {"module": type(obj).__module__, "class_name": type(obj).__name__, "config": config,
            "registered_name": serialization.get_registered_name(type(obj))}


def is_envelope(x):
    return isinstance(x, dict) and "class_name" in x and "config" in x


def deserialize_object(config, family_name, custom_objects=None):
    """The inverse of serialize_object for one family ("losses", "metrics", "optimizers");
    strings and containers pass through (compile() resolves names itself)."""
    import pykerascore

    if isinstance(config, list):
        return [deserialize_object(x, family_name, custom_objects) for x in config]
    if isinstance(config, dict) and not is_envelope(config):
        return {k: deserialize_object(v, family_name, custom_objects) for k, v in config.items()}
    if not is_envelope(config):
        return config
    custom = serialization.custom_objects_in_scope(custom_objects)
    if config["class_name"] == "function":
        name = config["config"]
        if name in custom:
            return custom[name]
        family = getattr(pykerascore, family_name)
        for fam in (family, pykerascore.losses, pykerascore.metrics):
            fn = getattr(fam, "ALL_OBJECTS_DICT", {}).get(name)
            if fn is not None and not inspect.isclass(fn):
                return fn
        raise ValueError(_unknown("function", name))
    for key in (config.get("registered_name"), config["class_name"]):
        if key in custom:
            cls = custom[key]
            return cls.from_config(dict(config["config"] or {})) if inspect.isclass(cls) else cls
    module = config.get("module") or ""
    if not module or module.startswith("keras"):  # no module: a legacy `.h5` entry
        return getattr(pykerascore, family_name).deserialize(config, custom_objects)
    raise ValueError(_unknown("class", config["class_name"]))


def _unknown(kind, name):
    return (f"Could not locate {kind} '{name}'. Make sure custom classes and functions are decorated with "
            "`@keras.saving.register_keras_serializable()` or passed in `custom_objects`.")
