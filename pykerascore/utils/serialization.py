"""Keras-style object registries: one implementation of the `get / serialize / deserialize`
trio that each family (regularizers, constraints, ...) exposes. A family builds a
`Registry(kind, module, base, classes)` and forwards its public functions to it."""

import inspect
import re


def snake_case(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


class Registry:
    def __init__(self, kind, module, base, classes):
        self.kind = kind          # e.g. "regularizer", used in error messages
        self.module = module      # e.g. "keras.regularizers", written into configs
        self.base = base
        # Keras's string table: class names and their snake_case forms.
        self.objects = {cls.__name__: cls for cls in classes}
        self.objects.update({snake_case(cls.__name__): cls for cls in classes})

    def serialize(self, obj):
        if obj is None:
            return None
        if isinstance(obj, self.base):
            return {"module": self.module, "class_name": type(obj).__name__, "config": obj.get_config(),
                    "registered_name": None}
        if callable(obj) and hasattr(obj, "__name__"):
            return {"module": getattr(obj, "__module__", None), "class_name": "function", "config": obj.__name__,
                    "registered_name": "function"}
        raise ValueError(f"Cannot serialize {self.kind} {obj!r}")

    def deserialize(self, config, custom_objects=None):
        table = {**self.objects, **custom_objects_in_scope(custom_objects)}
        if isinstance(config, str):
            config = {"class_name": config, "config": {}}
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"Could not interpret {self.kind} identifier: {config}")
        cls = table.get(config.get("registered_name") or config["class_name"]) or table.get(config["class_name"])
        if cls is None:
            raise ValueError(f"Could not interpret {self.kind} identifier: {config['class_name']}")
        if not inspect.isclass(cls):
            return cls
        return cls.from_config(dict(config.get("config") or {}))

    def get(self, identifier):
        """An object from a name, a config dict, a class, an instance or a callable."""
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            obj = self.deserialize(identifier)
        elif isinstance(identifier, str):
            obj = self.objects.get(identifier)
        else:
            obj = identifier
        if callable(obj):
            return obj() if inspect.isclass(obj) else obj
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier}")


# --------------------------------------------------------------------------- custom objects
# Keras's two sources of user classes and functions for deserialization: the global table
# filled by `register_keras_serializable` (and edited through `get_custom_objects()`), and the
# innermost active `custom_object_scope`. Looking a name up never imports or runs anything.
_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_SCOPE_STACK = [{}]


class CustomObjectScope:
    """`with custom_object_scope({"name": obj}):` makes the objects visible to every
    deserializer (load_model, model_from_json, from_config of nested objects) inside the block."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        # Keras: an inner scope replaces the outer one's table rather than adding to it.
        _SCOPE_STACK.append(dict(self.custom_objects))
        return self

    def __exit__(self, *exc):
        _SCOPE_STACK.pop()


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The live global table of registered objects (scoped objects are not in it)."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """Class/function decorator: registers the object as `"package>name"` so configs that
    name it deserialize without `custom_objects`."""

    def decorator(arg):
        key = f"{package}>{name if name is not None else arg.__name__}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[key] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = key
        return arg

    return decorator


def get_registered_name(obj):
    """`"package>name"` for a registered object, else its Python name."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object called `name` in the scope, the global table, `custom_objects`, then
    `module_objects` (None when none has it)."""
    for table in (_SCOPE_STACK[-1], _GLOBAL_CUSTOM_OBJECTS, custom_objects or {}, module_objects or {}):
        if name in table:
            return table[name]
    return None


def custom_objects_in_scope(custom_objects=None):
    """Every user object visible now, for the family deserializers: global registrations,
    then the active scope, then the `custom_objects` passed in (the most specific wins)."""
    return {**_GLOBAL_CUSTOM_OBJECTS, **_SCOPE_STACK[-1], **(custom_objects or {})}


# --------------------------------------------------------------------------- safe mode
# While a model file is being loaded with safe_mode=True (the default), deserializers refuse
# anything that would run code stored in the file (a Lambda's marshalled bytecode).
_SAFE_MODE_STACK = [True]


class SafeModeScope:
    def __init__(self, safe_mode=True):
        self.safe_mode = True if safe_mode is None else bool(safe_mode)

    def __enter__(self):
        _SAFE_MODE_STACK.append(self.safe_mode)
        return self

    def __exit__(self, *exc):
        _SAFE_MODE_STACK.pop()


def in_safe_mode():
    return _SAFE_MODE_STACK[-1]
