"""pykerascore.regularizers: Keras 3 regularizers (L1, L2, L1L2, OrthogonalRegularizer, the
l1/l2/l1_l2/orthogonal_regularizer aliases) and `get / serialize / deserialize`. The classes
live in regularizers.py; this file only resolves identifiers."""

from pykerascore.utils.serialization import Registry
from pykerascore.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)


# Keras's string table: class names and their snake_case forms ("l1l2", not "l1_l2").
_REGISTRY = Registry("regularizer", "keras.regularizers", _CLASSES[0], _CLASSES)
ALL_OBJECTS_DICT = _REGISTRY.objects

l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer):
    return _REGISTRY.serialize(regularizer)


def deserialize(config, custom_objects=None):
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """A regularizer from a name, a config dict, a class, an instance or a callable."""
    return _REGISTRY.get(identifier)


__all__ = [cls.__name__ for cls in _CLASSES] + ["l1", "l2", "l1_l2", "orthogonal_regularizer", "get", "serialize",
                                                 "deserialize"]
