"""compile(loss=..., loss_weights=...) on multi-output models: per-output losses as one value,
a list or a dict (None: no loss), weights, the weighted total and per-output trackers, callable
and Loss-instance losses; each checked against NumPy on the model's own predictions."""

import numpy as np
import pytest

import pykerascore as pk
from pykerascore import layers, ops

N = 24


def two_output_model(seed=0):
    pk.utils.set_random_seed(seed)
    x = pk.Input((4,), name="x")
    h = layers.Dense(6, activation="tanh", name="hidden")(x)
    out_a = layers.Dense(3, activation="softmax", name="out_a")(h)
    out_b = layers.Dense(2, name="out_b")(h)
    return pk.Model(x, [out_a, out_b])


def data():
    r = np.random.default_rng(3)
    x = r.normal(size=(N, 4)).astype("float32")
    ya = r.integers(0, 3, size=(N,)).astype("float32")
    yb = r.normal(size=(N, 2)).astype("float32")
    return x, ya, yb


def sparse_cce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.log(p[np.arange(len(y)), y.astype(int)])


def mse(y, p):
    return np.mean((y - p) ** 2, axis=-1)


def mae(y, p):
    return np.mean(np.abs(y - p), axis=-1)


def _eval(model, x, ys):
    return model.evaluate(x, ys, batch_size=N, verbose=0, return_dict=True)


def test_loss_dict_gives_weighted_total_and_per_output_losses():
    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss={"out_a": "sparse_categorical_crossentropy", "out_b": "mse"},
              loss_weights={"out_a": 2.0, "out_b": 0.5})
    pa, pb = m.predict(x, verbose=0)
    la, lb = sparse_cce(ya, pa).mean(), mse(yb, pb).mean()
    got = _eval(m, x, [ya, yb])
    np.testing.assert_allclose([got["out_a_loss"], got["out_b_loss"]], [la, lb], rtol=1e-5)
    np.testing.assert_allclose(got["loss"], 2.0 * la + 0.5 * lb, rtol=1e-5)


def test_loss_list_in_output_order():
    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss=["sparse_categorical_crossentropy", "mae"])
    pa, pb = m.predict(x, verbose=0)
    got = _eval(m, x, [ya, yb])
    np.testing.assert_allclose(got["out_b_loss"], mae(yb, pb).mean(), rtol=1e-5)
    np.testing.assert_allclose(got["loss"], sparse_cce(ya, pa).mean() + mae(yb, pb).mean(), rtol=1e-5)


def test_single_loss_applies_to_every_output():
    x, _, yb = data()
    m = two_output_model()
    m.compile("sgd", loss="mse")
    ya = np.random.default_rng(5).normal(size=(N, 3)).astype("float32")
    pa, pb = m.predict(x, verbose=0)
    got = _eval(m, x, [ya, yb])
    np.testing.assert_allclose([got["out_a_loss"], got["out_b_loss"]], [mse(ya, pa).mean(), mse(yb, pb).mean()],
                               rtol=1e-5)


def test_loss_weights_list_scale_total_not_per_output_logs():
    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[0.0, 3.0])
    pb = m.predict(x, verbose=0)[1]
    got = _eval(m, x, [ya, yb])
    np.testing.assert_allclose(got["loss"], 3.0 * mse(yb, pb).mean(), rtol=1e-5)
    assert got["out_a_loss"] > 0  # trackers record the unweighted loss, as Keras


def test_none_loss_output_needs_no_target_and_gets_no_tracker():
    x, ya, _ = data()
    m = two_output_model()
    m.compile("sgd", loss={"out_a": "sparse_categorical_crossentropy", "out_b": None})
    pa = m.predict(x, verbose=0)[0]
    got = _eval(m, x, {"out_a": ya})
    assert list(got) == ["loss"]
    np.testing.assert_allclose(got["loss"], sparse_cce(ya, pa).mean(), rtol=1e-5)


def test_loss_dict_may_leave_out_an_output():
    m = two_output_model()
    m.compile("sgd", loss={"out_b": "mse"})
    assert m.metrics_names == ["loss"]


def test_callable_loss_written_with_ops_matches_builtin():
    def my_mse(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    x, ya, yb = data()
    m1, m2 = two_output_model(), two_output_model()
    m1.compile("sgd", loss=["sparse_categorical_crossentropy", my_mse])
    m2.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"])
    h1 = m1.fit(x, [ya, yb], batch_size=8, epochs=2, shuffle=False, verbose=0).history
    h2 = m2.fit(x, [ya, yb], batch_size=8, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-6)


def test_loss_instance_per_output():
    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss=[pk.losses.SparseCategoricalCrossentropy(), pk.losses.MeanAbsoluteError()])
    pb = m.predict(x, verbose=0)[1]
    np.testing.assert_allclose(_eval(m, x, [ya, yb])["out_b_loss"], mae(yb, pb).mean(), rtol=1e-5)


def test_crossentropy_string_loss_resolves_by_shapes():
    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss=["ce", "mse"])
    pa = m.predict(x, verbose=0)[0]
    np.testing.assert_allclose(_eval(m, x, [ya, yb])["out_a_loss"], sparse_cce(ya, pa).mean(), rtol=1e-5)


def test_single_output_float_loss_weight_scales_loss():
    x, _, yb = data()
    pk.utils.set_random_seed(0)
    m = pk.Sequential([pk.Input((4,)), layers.Dense(2)])
    m.compile("sgd", loss="mse", loss_weights=4.0)
    p = m.predict(x, verbose=0)
    np.testing.assert_allclose(m.evaluate(x, yb, batch_size=N, verbose=0), 4.0 * mse(yb, p).mean(), rtol=1e-5)


def test_unknown_output_name_in_loss_dict_raises_at_compile():
    m = two_output_model()
    with pytest.raises(ValueError, match="out_c"):
        m.compile("sgd", loss={"out_a": "mse", "out_c": "mse"})


def test_loss_list_of_wrong_length_raises():
    m = two_output_model()
    with pytest.raises(ValueError, match="2 output"):
        m.compile("sgd", loss=["mse", "mse", "mse"])


def test_loss_weights_of_wrong_type_raise():
    m = two_output_model()
    with pytest.raises(ValueError, match="loss_weights"):
        m.compile("sgd", loss="mse", loss_weights="heavy")


def test_all_none_losses_raise():
    m = two_output_model()
    with pytest.raises(ValueError, match="no loss"):
        m.compile("sgd", loss=[None, None])


def test_too_few_targets_raise_naming_outputs():
    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match="out_a"):
        m.evaluate(x, [yb, yb, yb], verbose=0)


def test_eager_step_shares_the_per_output_loss_code():
    from pykerascore.trainers import eager

    x, ya, yb = data()
    m = two_output_model()
    m.compile("sgd", loss={"out_a": "sparse_categorical_crossentropy", "out_b": "mse"}, loss_weights=[1.0, 0.5],
              metrics={"out_a": ["accuracy"]})
    want = m.evaluate(x, {"out_a": ya, "out_b": yb}, batch_size=N, verbose=0, return_dict=True)
    m.reset_metrics()
    eager.test_step(m, x, {"out_a": ya, "out_b": yb})
    got = {k.name: k.result() for k in m.metrics}
    assert list(got) == list(want)
    np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=1e-6)
