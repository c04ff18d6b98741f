"""compile(metrics=..., weighted_metrics=...): per-output rules and names (Keras 3), string
resolution by shapes ("accuracy"/"acc", "crossentropy"/"ce": D6), metrics_names and the order
of evaluate()/History keys (D1, D13), weighting of weighted metrics only (C4)."""

import numpy as np
import pytest

import pykerascore as pk
from pykerascore import layers, metrics

N = 24


def two_output_model(seed=0):
    pk.utils.set_random_seed(seed)
    x = pk.Input((4,), name="x")
    h = layers.Dense(6, activation="tanh", name="hidden")(x)
    out_a = layers.Dense(3, activation="softmax", name="out_a")(h)
    out_b = layers.Dense(1, activation="sigmoid", name="out_b")(h)
    return pk.Model(x, [out_a, out_b])


def data():
    r = np.random.default_rng(4)
    x = r.normal(size=(N, 4)).astype("float32")
    ya = r.integers(0, 3, size=(N,)).astype("float32")
    yb = r.integers(0, 2, size=(N, 1)).astype("float32")
    sw = r.uniform(0.1, 2.0, size=(N,)).astype("float32")
    return x, ya, yb, sw


FULL = dict(loss={"out_a": "sparse_categorical_crossentropy", "out_b": "binary_crossentropy"},
            metrics={"out_a": ["accuracy"], "out_b": ["accuracy", "mse"]}, weighted_metrics={"out_b": ["mse"]})
FULL_NAMES = ["loss", "out_a_loss", "out_b_loss", "out_a_accuracy", "out_b_accuracy", "out_b_mse", "out_b_weighted_mse"]


def _fitted(**compile_kwargs):
    x, ya, yb, sw = data()
    m = two_output_model()
    m.compile("sgd", **compile_kwargs)
    h = m.fit(x, [ya, yb], sample_weight=sw, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return m, h


def test_metrics_names_are_display_labels_in_evaluate_order():
    m, _ = _fitted(**FULL)
    assert m.metrics_names == FULL_NAMES


def test_metrics_names_before_data_list_the_loss_trackers():
    m = two_output_model()
    m.compile("sgd", **FULL)
    assert m.metrics_names == ["loss", "out_a_loss", "out_b_loss"]


def test_model_metrics_objects_follow_metrics_names():
    m, _ = _fitted(**FULL)
    assert [x.name for x in m.metrics] == m.metrics_names
    assert isinstance(m.metrics[3], metrics.SparseCategoricalAccuracy)
    assert isinstance(m.metrics[4], metrics.BinaryAccuracy)


def test_history_keys_in_metrics_names_order():
    m, h = _fitted(**FULL)
    assert list(h.history) == FULL_NAMES


def test_evaluate_list_and_dict_follow_metrics_names():
    x, ya, yb, _ = data()
    m, _ = _fitted(**FULL)
    as_list = m.evaluate(x, [ya, yb], verbose=0)
    as_dict = m.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert list(as_dict) == m.metrics_names
    np.testing.assert_allclose(as_list, list(as_dict.values()))


def test_list_of_lists_per_output():
    m, h = _fitted(loss=FULL["loss"], metrics=[["acc"], ["mae", "acc"]])
    assert m.metrics_names[3:] == ["out_a_acc", "out_b_mae", "out_b_acc"]


def test_flat_list_with_one_entry_per_output():
    m, _ = _fitted(loss=FULL["loss"], metrics=["accuracy", "mse"])
    assert m.metrics_names[3:] == ["out_a_accuracy", "out_b_mse"]


def test_flat_list_not_matching_outputs_raises_like_keras():
    m = two_output_model()
    with pytest.raises(ValueError, match="dict by output name"):
        m.compile("sgd", loss=FULL["loss"], metrics=["accuracy"])


def test_single_output_list_applies_to_the_output_without_prefix():
    x, ya, _, _ = data()
    pk.utils.set_random_seed(0)
    m = pk.Sequential([pk.Input((4,)), layers.Dense(3, activation="softmax")])
    m.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["acc", metrics.SparseTopKCategoricalAccuracy(k=2)])
    m.evaluate(x, ya, verbose=0)
    assert m.metrics_names == ["loss", "acc", "sparse_top_k_categorical_accuracy"]


def test_function_and_instance_metric_names():
    def my_error(y_true, y_pred):
        return pk.ops.mean(pk.ops.abs(y_true - y_pred), axis=-1)

    m, _ = _fitted(loss=FULL["loss"], metrics={"out_b": [my_error, metrics.MeanSquaredError(name="msq")]})
    assert m.metrics_names[3:] == ["out_b_my_error", "out_b_msq"]


@pytest.mark.parametrize("target,units,want", [
    ("sparse", 3, metrics.SparseCategoricalAccuracy),
    ("onehot", 3, metrics.CategoricalAccuracy),
    ("binary", 1, metrics.BinaryAccuracy),
])
def test_accuracy_resolves_by_target_and_output_shape(target, units, want):
    x, ya, yb, _ = data()
    y = {"sparse": ya, "onehot": np.eye(3, dtype="float32")[ya.astype(int)], "binary": yb}[target]
    pk.utils.set_random_seed(0)
    m = pk.Sequential([pk.Input((4,)), layers.Dense(units, activation="sigmoid")])
    m.compile("sgd", loss="mse" if target != "sparse" else "sparse_categorical_crossentropy", metrics=["accuracy"])
    m.evaluate(x, y, verbose=0)
    assert type(m.metrics[1]) is want


@pytest.mark.parametrize("target,units,want", [
    ("sparse", 3, metrics.SparseCategoricalCrossentropy),
    ("onehot", 3, metrics.CategoricalCrossentropy),
    ("binary", 1, metrics.BinaryCrossentropy),
])
def test_crossentropy_metric_resolves_by_shapes(target, units, want):
    x, ya, yb, _ = data()
    y = {"sparse": ya, "onehot": np.eye(3, dtype="float32")[ya.astype(int)], "binary": yb}[target]
    pk.utils.set_random_seed(0)
    m = pk.Sequential([pk.Input((4,)), layers.Dense(units, activation="sigmoid")])
    m.compile("sgd", loss="mse" if target != "sparse" else "sparse_categorical_crossentropy", metrics=["ce"])
    m.evaluate(x, y, verbose=0)
    assert type(m.metrics[1]) is want and m.metrics_names[1] == "ce"


def test_weighted_metrics_use_sample_weight_plain_metrics_do_not():
    x, ya, yb, sw = data()
    m = two_output_model()
    m.compile("sgd", loss=FULL["loss"], metrics={"out_b": ["mse"]}, weighted_metrics={"out_b": ["mse"]})
    pb = m.predict(x, verbose=0)[1]
    got = m.evaluate(x, [ya, yb], sample_weight=sw, batch_size=N, verbose=0, return_dict=True)
    err = ((yb - pb) ** 2)[:, 0]
    np.testing.assert_allclose(got["out_b_mse"], err.mean(), rtol=1e-5)
    np.testing.assert_allclose(got["out_b_weighted_mse"], (err * sw).sum() / sw.sum(), rtol=1e-5)


def test_duplicate_plain_metric_names_get_suffixes():
    m, _ = _fitted(loss=FULL["loss"], metrics={"out_b": ["mse", "mse"]})
    assert m.metrics_names[3:] == ["out_b_mse", "out_b_mse_1"]


def test_single_output_weighted_duplicate_gets_weighted_prefix():
    x, ya, _, _ = data()
    pk.utils.set_random_seed(0)
    m = pk.Sequential([pk.Input((4,)), layers.Dense(3, activation="softmax")])
    m.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
    m.evaluate(x, ya, verbose=0)
    assert m.metrics_names == ["loss", "accuracy", "weighted_accuracy"]


def test_unknown_output_in_metrics_dict_raises():
    m = two_output_model()
    with pytest.raises(ValueError, match="out_z"):
        m.compile("sgd", loss=FULL["loss"], metrics={"out_z": ["mse"]})


def test_metrics_not_a_collection_raises():
    with pytest.raises(ValueError, match="list, tuple, or dict"):
        two_output_model().compile("sgd", loss="mse", metrics="accuracy")
