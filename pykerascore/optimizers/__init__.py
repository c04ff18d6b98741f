"""Optimizers (keras.optimizers): classes, schedules, and get / serialize / deserialize."""

from pykerascore.optimizers import schedules  # noqa: F401
from pykerascore.utils.serialization import custom_objects_in_scope
from pykerascore.optimizers.adadelta import Adadelta
from pykerascore.optimizers.adagrad import Adagrad
from pykerascore.optimizers.adam import Adam
from pykerascore.optimizers.adamax import Adamax
from pykerascore.optimizers.adamw import AdamW
from pykerascore.optimizers.ftrl import Ftrl
from pykerascore.optimizers.lion import Lion
from pykerascore.optimizers.loss_scale_optimizer import LossScaleOptimizer
from pykerascore.optimizers.nadam import Nadam
from pykerascore.optimizers.optimizer import Optimizer
from pykerascore.optimizers.rmsprop import RMSprop
from pykerascore.optimizers.sgd import SGD

ALL_OBJECTS = (Adadelta, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion, LossScaleOptimizer, Nadam, RMSprop, SGD)
_BY_NAME = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}

__all__ = ["Optimizer", "get", "serialize", "deserialize", "schedules"] + [c.__name__ for c in ALL_OBJECTS]


def serialize(optimizer):
    """Keras's serialized form: module, class_name, config, registered_name."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__, "config": optimizer.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """An optimizer from `serialize()`'s dict (or a Keras 2 style {'class_name', 'config'})."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret serialized optimizer: {config!r}")
    name = config["class_name"]
    table = custom_objects_in_scope(custom_objects)
    cls = table.get(config.get("registered_name") or name) or table.get(name) or _BY_NAME.get(name.lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: '{name}'. Please ensure you are using a `keras.utils.custom_object_scope`.")
    return cls.from_config(dict(config.get("config", {})), custom_objects=custom_objects)


def get(identifier):
    """An Optimizer from an instance, a name ('adam', 'rmsprop', ...) or a serialized dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
