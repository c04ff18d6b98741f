"""Neural-network ops of pykerascore.ops (activations)."""

from pykerascore.backend.symbolic import emit


__all__ = ['relu', 'sigmoid', 'tanh', 'softmax']


def relu(x):
    return emit("relu", [x])


def sigmoid(x):
    return emit("sigmoid", [x])


def tanh(x):
    return emit("tanh", [x])


def softmax(x, axis=-1):
    return emit("softmax", [x], {"axis": int(axis)})
