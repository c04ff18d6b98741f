"""keras.activations: every activation by its Keras name and signature, plus get/serialize/deserialize.

The functions are defined here (not re-exported) so that `fn.__module__` names this module:
layers use that to recognise a built-in activation they can fuse. Math lives in the native ops;
these only map Keras arguments onto pykerascore.ops.nn.
"""

from pykerascore.backend.symbolic import emit
from pykerascore.ops import nn as _nn
from pykerascore.utils.serialization import custom_objects_in_scope


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    # The plain and relu6 cases keep their own ops (fusable, gradient from the output); any
    # other combination is the general piecewise-linear op.
    if negative_slope == 0.0 and threshold == 0.0:
        if max_value is None:
            return _nn.relu(x)
        if max_value == 6:
            return _nn.relu6(x)
    attrs = {"negative_slope": float(negative_slope), "threshold": float(threshold)}
    if max_value is not None:
        attrs["max_value"] = float(max_value)
    return emit("leaky_relu", [x], attrs)


def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    return _nn.relu6(x)


def softmax(x, axis=-1):
    out = _nn.softmax(x, axis=axis)
    _mark_logits(out, x)
    return out


def log_softmax(x, axis=-1):
    return _nn.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    return _nn.elu(x, alpha=alpha)


def selu(x):
    return _nn.selu(x)


def softplus(x):
    return _nn.softplus(x)


def softsign(x):
    return _nn.softsign(x)


def silu(x):
    return _nn.silu(x)


swish = silu  # Keras: the same function object, serialized as "silu"


def gelu(x, approximate=False):
    return _nn.gelu(x, approximate=approximate)


def tanh(x):
    return _nn.tanh(x)


def sigmoid(x):
    out = _nn.sigmoid(x)
    _mark_logits(out, x)
    return out


def exponential(x):
    return emit("exponential", [x])


def hard_sigmoid(x):
    return _nn.hard_sigmoid(x)


def linear(x):
    return x


def _mark_logits(out, x):
    # As Keras: losses may read the pre-activation back (from_logits shortcuts).
    try:
        out._keras_logits = x
    except AttributeError:
        pass


_ALL_FUNCTIONS = (relu, leaky_relu, relu6, softmax, log_softmax, elu, selu, softplus, softsign,
                  silu, gelu, tanh, sigmoid, exponential, hard_sigmoid, linear)
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _ALL_FUNCTIONS}
ALL_OBJECTS_DICT["swish"] = silu


def serialize(activation):
    """Built-ins serialize to their name; other functions to Keras's function config dict."""
    name = getattr(activation, "__name__", None)
    if name in ALL_OBJECTS_DICT and ALL_OBJECTS_DICT[name] is activation:
        return name
    if name is None or name == "<lambda>":
        raise ValueError(
            f"Unknown activation function '{activation}' cannot be serialized due to invalid "
            "function name. Use a named function or a built-in activation name."
        )
    return {"module": getattr(activation, "__module__", None), "class_name": "function",
            "config": name, "registered_name": "function"}


def deserialize(config, custom_objects=None):
    """A name (or a function config dict) back to the function; custom_objects first."""
    name = config
    custom = custom_objects_in_scope(custom_objects)
    if isinstance(config, dict):
        name = config.get("config")
        if config.get("registered_name") in custom:
            return custom[config["registered_name"]]
    if isinstance(name, str):
        if name in custom:
            return custom[name]
        if name in ALL_OBJECTS_DICT:
            return ALL_OBJECTS_DICT[name]
    raise ValueError(f"Could not interpret activation function identifier: {config}")


def get(identifier):
    """None -> linear; a name or config dict -> the built-in; a callable is returned as is."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
