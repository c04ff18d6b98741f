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
        table = {**self.objects, **(custom_objects or {})}
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
