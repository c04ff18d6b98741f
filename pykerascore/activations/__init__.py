"""Activations by name, as functions over pykerascore.ops (Keras names)."""

from pykerascore import ops


def linear(x):
    return x


def relu(x):
    return ops.relu(x)


def sigmoid(x):
    return ops.sigmoid(x)


def tanh(x):
    return ops.tanh(x)


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


_ALL = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax)}


def get(identifier):
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(fn):
    return getattr(fn, "__name__", str(fn))
