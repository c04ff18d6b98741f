"""compile()'s Keras 2 arguments (C7, D9): sample_weight_mode accepted, target_tensors and
distribute refused with a reason, pss_evaluation_shards accepted, unknown keywords a TypeError."""

import pytest

import pykerascore as pk
from pykerascore import layers


def model():
    return pk.Sequential([pk.Input((3,)), layers.Dense(1)])


def test_target_tensors_raise_value_error():
    with pytest.raises(ValueError, match="target_tensors"):
        model().compile("sgd", loss="mse", target_tensors=[object()])


def test_distribute_raises_value_error():
    with pytest.raises(ValueError, match="distribute"):
        model().compile("sgd", loss="mse", distribute="mirrored")


def test_unknown_keyword_raises_type_error():
    with pytest.raises(TypeError, match="experimental_foo"):
        model().compile("sgd", loss="mse", experimental_foo=1)


def test_pss_evaluation_shards_is_accepted():
    m = model()
    m.compile("sgd", loss="mse", pss_evaluation_shards="auto")
    assert m.compiled


def test_invalid_sample_weight_mode_raises():
    with pytest.raises(ValueError, match="sample_weight_mode"):
        model().compile("sgd", loss="mse", sample_weight_mode="spatial")


def test_recompiling_keeps_metric_names_unprefixed_twice():
    import numpy as np

    x = pk.Input((3,), name="x")
    outs = [layers.Dense(1, name="a")(x), layers.Dense(1, name="b")(x)]
    m = pk.Model(x, outs)
    acc = pk.metrics.MeanAbsoluteError(name="err")
    data = np.ones((4, 3), "float32"), [np.ones((4, 1), "float32")] * 2
    for _ in range(2):
        m.compile("sgd", loss="mse", metrics={"b": [acc]})
        m.evaluate(*data, verbose=0)
    assert m.metrics_names[-1] == "b_err"
