"""Neural-network ops of pykerascore.ops: the activation functions, with keras.ops signatures.

Each function emits one native op (traced on symbolic tensors, run eagerly on arrays); no math
happens here beyond turning Keras arguments into op attributes.
"""

import warnings

from pykerascore.backend.symbolic import emit


__all__ = [
    "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
    "silu", "swish", "gelu", "elu", "selu", "leaky_relu", "hard_sigmoid",
]


def relu(x):
    return emit("relu", [x])


def relu6(x):
    return emit("relu6", [x])


def sigmoid(x):
    return emit("sigmoid", [x])


def tanh(x):
    return emit("tanh", [x])


def softplus(x):
    return emit("softplus", [x])


def softsign(x):
    return emit("softsign", [x])


def silu(x):
    return emit("silu", [x])


swish = silu


def gelu(x, approximate=True):
    return emit("gelu", [x], {"approximate": int(bool(approximate))})


def elu(x, alpha=1.0):
    return emit("elu", [x], {"alpha": float(alpha)})


def selu(x):
    return emit("selu", [x])


def leaky_relu(x, negative_slope=0.2):
    return emit("leaky_relu", [x], {"negative_slope": float(negative_slope)})


def hard_sigmoid(x):
    return emit("hard_sigmoid", [x])


def _ndim(x):
    nd = getattr(x, "ndim", None)
    if nd is None:
        import numpy as np

        nd = np.ndim(x)
    return int(nd)


def _axes(x, axis):
    """Axes attr for (log_)softmax: an int, a tuple/list of ints, or None (every axis)."""
    if axis is None:
        return list(range(_ndim(x)))
    if isinstance(axis, (tuple, list)):
        return [int(a) for a in axis]
    return [int(axis)]


def _warn_size_one_axis(x, axis):
    # As Keras: a softmax over a size-1 axis is always 1, which is rarely what was meant.
    shape = getattr(x, "shape", None)
    if isinstance(axis, int) and shape is not None and -len(shape) <= axis < len(shape) and shape[axis] == 1:
        warnings.warn(
            f"You are using a softmax over axis {axis} of a tensor of shape {tuple(shape)}. This axis "
            "has size 1. The softmax operation will always return the value 1, which is likely not "
            "what you intended. Did you mean to use a sigmoid instead?"
        )


def softmax(x, axis=-1):
    _warn_size_one_axis(x, axis)
    return emit("softmax", [x], {"axes": _axes(x, axis)})


def log_softmax(x, axis=-1):
    return emit("log_softmax", [x], {"axes": _axes(x, axis)})
