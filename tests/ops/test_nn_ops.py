"""pykerascore.ops.nn and pykerascore.activations: Keras names, signatures and defaults, on
NumPy arrays (eager) and on symbolic tensors (traced), plus get/serialize/deserialize."""
import inspect
import math
import warnings

import numpy as np
import pytest

import pykerascore as keras
from pykerascore import activations, ops
from pykerascore.backend import symbolic

_erf = np.vectorize(math.erf)


def sig(x):
    return 1 / (1 + np.exp(-x))


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def gelu_ref(x, approximate):
    if approximate:
        u = np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)
        with np.errstate(over="ignore"):
            return x / (1 + np.exp(-2 * u))  # = x/2 (1 + tanh(u)) without cancelling for x << 0
    return 0.5 * x * (1 + _erf(x / np.sqrt(2)))


def softmax_ref(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)

# keras.activations name -> NumPy reference of the Keras 3 definition (default arguments)
ACTIVATION_REFS = {
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "softmax": lambda x: softmax_ref(x, -1),
    "log_softmax": lambda x: np.log(softmax_ref(x, -1)),
    "elu": np_elu,
    "selu": lambda x: SELU[1] * np_elu(x, SELU[0]),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "silu": lambda x: x * sig(x),
    "swish": lambda x: x * sig(x),
    "gelu": lambda x: gelu_ref(x, False),  # keras.activations.gelu defaults to the exact form
    "tanh": np.tanh,
    "sigmoid": sig,
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "linear": lambda x: x,
}

OPS_REFS = {
    "relu": ACTIVATION_REFS["relu"], "relu6": ACTIVATION_REFS["relu6"], "sigmoid": sig, "tanh": np.tanh,
    "softmax": ACTIVATION_REFS["softmax"], "log_softmax": ACTIVATION_REFS["log_softmax"],
    "softplus": ACTIVATION_REFS["softplus"], "softsign": ACTIVATION_REFS["softsign"],
    "silu": ACTIVATION_REFS["silu"], "swish": ACTIVATION_REFS["silu"],
    "gelu": lambda x: gelu_ref(x, True),  # keras.ops.gelu defaults to the tanh approximation
    "elu": np_elu, "selu": ACTIVATION_REFS["selu"], "leaky_relu": ACTIVATION_REFS["leaky_relu"],
    "hard_sigmoid": ACTIVATION_REFS["hard_sigmoid"],
}


def x_sample(shape=(3, 5), seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(np.float32)


def traced(fn, x):
    """Runs fn on a traced placeholder shaped like x (batch dim unknown); returns (tensor, value)."""
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        t = symbolic.placeholder(g, (None,) + x.shape[1:], "float32", "x")
        y = fn(t)
    return y, g.evaluate({t._vid: x}, [y._vid])[0]


# ----------------------------------------------------------------------------- ops.nn
def test_ops_nn_all_lists_the_activation_ops():
    expected = {"relu", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "gelu", "elu", "selu",
                "silu", "swish", "leaky_relu", "relu6", "hard_sigmoid", "softsign"}
    assert expected <= set(ops.nn.__all__)
    for name in expected:
        assert getattr(ops, name) is getattr(ops.nn, name)


@pytest.mark.parametrize("name", sorted(OPS_REFS))
def test_ops_nn_eager_on_numpy(name):
    x = x_sample()
    y = getattr(ops.nn, name)(x)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32
    np.testing.assert_allclose(y, OPS_REFS[name](x.astype(np.float64)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(OPS_REFS))
def test_ops_nn_traced_on_symbolic_tensor(name):
    x = x_sample()
    y, value = traced(getattr(ops.nn, name), x)
    assert isinstance(y, symbolic.KerasTensor)
    assert y.shape == (None, 5) and y.dtype == "float32"
    np.testing.assert_allclose(value, OPS_REFS[name](x.astype(np.float64)), rtol=1e-6, atol=1e-6)


def test_ops_signatures_and_defaults_follow_keras_ops():
    assert inspect.signature(ops.gelu).parameters["approximate"].default is True
    assert inspect.signature(ops.elu).parameters["alpha"].default == 1.0
    assert inspect.signature(ops.leaky_relu).parameters["negative_slope"].default == 0.2
    assert inspect.signature(ops.softmax).parameters["axis"].default == -1
    assert inspect.signature(ops.log_softmax).parameters["axis"].default == -1


def test_ops_parameters_are_honoured():
    x = x_sample()
    xd = x.astype(np.float64)
    np.testing.assert_allclose(ops.elu(x, alpha=0.5), np_elu(xd, 0.5), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ops.leaky_relu(x, negative_slope=0.05), np.where(xd >= 0, xd, 0.05 * xd), rtol=1e-6)
    np.testing.assert_allclose(ops.gelu(x, approximate=False), gelu_ref(xd, False), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [0, 1, -2, (0, 2), (1, 2), None])
def test_softmax_axes_int_tuple_none(fn, axis):
    x = x_sample((2, 3, 4), 1)
    ref = softmax_ref(x.astype(np.float64), axis)
    ref = np.log(ref) if fn == "log_softmax" else ref
    np.testing.assert_allclose(getattr(ops, fn)(x, axis=axis), ref, rtol=1e-5, atol=1e-6)


def test_softmax_over_non_last_axis_traced():
    x = x_sample((4, 3), 2)
    _, value = traced(lambda t: ops.softmax(t, axis=0), x)
    np.testing.assert_allclose(value, softmax_ref(x.astype(np.float64), 0), rtol=1e-6)


def test_softmax_over_size_one_axis_warns_like_keras():
    with pytest.warns(UserWarning, match="size 1"):
        ops.softmax(np.zeros((3, 1), np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ops.softmax(np.zeros((3, 2), np.float32))


def test_integer_input_raises_type_error():
    with pytest.raises(TypeError):
        ops.relu(np.arange(4, dtype=np.int32))


# ----------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", sorted(ACTIVATION_REFS))
def test_activation_by_name_on_numpy(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    x = x_sample(seed=3)
    np.testing.assert_allclose(fn(x), ACTIVATION_REFS[name](x.astype(np.float64)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATION_REFS))
def test_activation_on_symbolic_tensor(name):
    x = x_sample(seed=4)
    y, value = traced(activations.get(name), x)
    assert y.shape == (None, 5)
    np.testing.assert_allclose(value, ACTIVATION_REFS[name](x.astype(np.float64)), rtol=1e-6, atol=1e-6)


def keras_relu_ref(x, negative_slope=0.0, max_value=None, threshold=0.0):
    pos = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        pos = np.clip(pos, 0.0, max_value)
    return pos - negative_slope * np.maximum(threshold - x, 0.0)


@pytest.mark.parametrize("kwargs", [
    {}, {"negative_slope": 0.1}, {"max_value": 6}, {"max_value": 2.5}, {"threshold": 0.5},
    {"threshold": -1.0}, {"negative_slope": 0.2, "max_value": 3.0}, {"negative_slope": 0.3, "threshold": 1.0},
    {"negative_slope": 0.1, "max_value": 4.0, "threshold": -0.5},
])
def test_relu_parameters(kwargs):
    x = x_sample(seed=5)
    np.testing.assert_allclose(activations.relu(x, **kwargs), keras_relu_ref(x.astype(np.float64), **kwargs),
                               rtol=1e-6, atol=1e-6)


def test_relu_parameters_traced_and_differentiable():
    x = np.array([[-2.0, -0.3, 0.7, 1.8, 5.0]], np.float32)
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        t = symbolic.placeholder(g, (None, 5), "float32", "x")
        y = activations.relu(t, negative_slope=0.1, max_value=2.0, threshold=0.5)
        loss = g.add_node("reduce_loss", [y._vid], {"reduction": "sum"}, "s")[0]
    (gx,) = g.evaluate({t._vid: x}, g.gradients(loss, [t._vid]))
    np.testing.assert_allclose(gx, [[0.1, 0.1, 1.0, 1.0, 0.0]], rtol=1e-6)


def test_activation_defaults_follow_keras_activations():
    assert inspect.signature(activations.gelu).parameters["approximate"].default is False
    params = inspect.signature(activations.relu).parameters
    assert [params[k].default for k in ("negative_slope", "max_value", "threshold")] == [0.0, None, 0.0]
    assert inspect.signature(activations.leaky_relu).parameters["negative_slope"].default == 0.2
    assert inspect.signature(activations.elu).parameters["alpha"].default == 1.0


def test_softmax_and_sigmoid_remember_their_logits():
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        t = symbolic.placeholder(g, (None, 3), "float32", "x")
        assert activations.softmax(t)._keras_logits is t
        assert activations.sigmoid(t)._keras_logits is t


def test_get_none_callable_and_dict():
    assert activations.get(None) is activations.linear
    custom = lambda x: x * 2  # noqa: E731
    assert activations.get(custom) is custom
    assert activations.get({"class_name": "function", "config": "gelu"}) is activations.gelu
    assert activations.get("swish") is activations.silu


@pytest.mark.parametrize("bad", ["nope", "Relu", 3, {"class_name": "function", "config": "nope"}])
def test_get_unknown_raises_value_error(bad):
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get(bad)


@pytest.mark.parametrize("name", sorted(ACTIVATION_REFS))
def test_serialize_deserialize_round_trip(name):
    fn = activations.get(name)
    s = activations.serialize(fn)
    assert s == ("silu" if name == "swish" else name)
    assert activations.deserialize(s) is fn


def test_serialize_custom_function_and_deserialize_with_custom_objects():
    def my_act(x):
        return x

    cfg = activations.serialize(my_act)
    assert cfg["class_name"] == "function" and cfg["config"] == "my_act"
    assert activations.deserialize(cfg, custom_objects={"my_act": my_act}) is my_act
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    with pytest.raises(ValueError):
        activations.serialize(lambda x: x)
    with pytest.raises(ValueError):
        activations.deserialize("my_act")


@pytest.mark.parametrize("name", ["gelu", "elu", "softplus", "hard_sigmoid", "log_softmax", "relu6"])
def test_dense_layer_accepts_every_activation_string(name):
    x = x_sample((4, 3), 6)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation=name)])
    w, b = model.layers[0].get_weights()
    z = x.astype(np.float64) @ w + b
    np.testing.assert_allclose(model.predict(x, verbose=0), ACTIVATION_REFS[name](z), rtol=1e-5, atol=1e-6)
