"""Sample and class weights per output: 1-D and temporal (N, T) sample weights, per-output
lists/dicts of them, sample_weight_mode="temporal" (D9), and class_weight turned into weights in
the program -- the same numbers as the equivalent sample_weight, for multi-output too (D12)."""

import numpy as np
import pytest

import pykerascore as pk
from pykerascore import layers
from pykerascore.trainers import program_builder
from pykerascore.utils import tree

N = 20


def two_output_model(seed=0):
    pk.utils.set_random_seed(seed)
    x = pk.Input((4,), name="x")
    h = layers.Dense(6, activation="tanh", name="hidden")(x)
    out_a = layers.Dense(3, activation="softmax", name="out_a")(h)
    out_b = layers.Dense(1, name="out_b")(h)
    return pk.Model(x, [out_a, out_b])


def data():
    r = np.random.default_rng(7)
    x = r.normal(size=(N, 4)).astype("float32")
    ya = r.integers(0, 3, size=(N,)).astype("float32")
    yb = r.integers(0, 2, size=(N, 1)).astype("float32")
    sa = r.uniform(0.1, 2.0, size=(N,)).astype("float32")
    sb = r.uniform(0.1, 2.0, size=(N,)).astype("float32")
    return x, ya, yb, sa, sb


def sparse_cce(y, p):
    return -np.log(np.clip(p, 1e-7, 1 - 1e-7)[np.arange(len(y)), y.astype(int)])


def run_test_program(model, x, y, sample_weight=None, class_weight=None):
    """One evaluation pass through the compiled program (the trainer's path minus the data
    adapter), so per-output sample-weight structures reach the program builder as given."""
    xs, info = program_builder.match_inputs(model, [x], x)
    y_flat = tree.flatten(y)
    spec = program_builder.DataSpec(xs, y_flat, sample_weight, y_struct=y, class_weight=class_weight)
    prog = program_builder.get_program(model, "test", spec, info, N)
    prog.bind(xs, y_flat, sample_weight)
    model.reset_metrics()
    prog.begin_epoch("none", 0, 0)
    prog.run(0, prog.steps_per_epoch)
    prog.release()
    return model._logs()


COMPILE = dict(loss={"out_a": "sparse_categorical_crossentropy", "out_b": "mse"})


def test_per_output_sample_weight_list():
    x, ya, yb, sa, sb = data()
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    pa, pb = m.predict(x, verbose=0)
    got = run_test_program(m, x, [ya, yb], [sa, sb])
    np.testing.assert_allclose(got["out_a_loss"], (sparse_cce(ya, pa) * sa).sum() / N, rtol=1e-5)
    np.testing.assert_allclose(got["out_b_loss"], (((yb - pb) ** 2)[:, 0] * sb).sum() / N, rtol=1e-5)


def test_sample_weight_dict_leaves_other_outputs_unweighted():
    x, ya, yb, _, sb = data()
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    pa, pb = m.predict(x, verbose=0)
    got = run_test_program(m, x, {"out_a": ya, "out_b": yb}, {"out_b": sb})
    np.testing.assert_allclose(got["out_a_loss"], sparse_cce(ya, pa).mean(), rtol=1e-5)
    np.testing.assert_allclose(got["out_b_loss"], (((yb - pb) ** 2)[:, 0] * sb).sum() / N, rtol=1e-5)


def test_one_sample_weight_array_weights_every_output():
    x, ya, yb, sa, _ = data()
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    shared = m.evaluate(x, [ya, yb], sample_weight=sa, batch_size=N, verbose=0, return_dict=True)
    listed = run_test_program(m, x, [ya, yb], [sa, sa])
    np.testing.assert_allclose(list(shared.values()), list(listed.values()), rtol=1e-6)


def test_sample_weight_dict_with_unknown_output_raises():
    x, ya, yb, sa, _ = data()
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    with pytest.raises(ValueError, match="out_q"):
        run_test_program(m, x, [ya, yb], {"out_q": sa})


def _keras_class_weights(y, table):
    y = np.asarray(y)
    labels = np.argmax(y, -1) if y.ndim > 1 and y.shape[-1] > 1 else np.round(y.reshape(len(y)))
    return np.array([table.get(int(c), 1.0) for c in labels], dtype="float32")


@pytest.mark.parametrize("onehot", [False, True])
def test_class_weight_equals_sample_weight_in_fit(onehot):
    x, ya, _, _, _ = data()
    y = np.eye(3, dtype="float32")[ya.astype(int)] if onehot else ya
    table = {0: 3.0, 2: 0.25}
    hs = []
    for kw in ({"class_weight": table}, {"sample_weight": _keras_class_weights(y, table)}):
        pk.utils.set_random_seed(0)
        m = pk.Sequential([pk.Input((4,)), layers.Dense(3, activation="softmax")])
        m.compile("sgd", loss="categorical_crossentropy" if onehot else "sparse_categorical_crossentropy",
                  weighted_metrics=["accuracy"])
        hs.append(m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kw).history)
    for key in hs[1]:
        np.testing.assert_allclose(hs[0][key], hs[1][key], rtol=1e-6, err_msg=key)


def test_class_weight_multiplies_sample_weight_in_the_program():
    # The array adapter refuses both at once in fit() (Keras 3); the program multiplies them (Keras 2).
    x, ya, yb, sa, sb = data()
    table = {1: 4.0}
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    got = run_test_program(m, x, [ya, yb], [sa, sb], class_weight=table)
    want = run_test_program(m, x, [ya, yb], [sa * _keras_class_weights(ya, table), sb * _keras_class_weights(yb, table)])
    np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=1e-6)


def test_one_class_weight_dict_applies_to_every_output():
    x, ya, yb, _, _ = data()
    table = {0: 2.0, 1: 0.5}
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    got = run_test_program(m, x, [ya, yb], class_weight=table)
    want = run_test_program(m, x, [ya, yb], [_keras_class_weights(ya, table), _keras_class_weights(yb, table)])
    np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=1e-6)


def test_class_weight_by_output_name_in_fit():
    x, ya, yb, _, _ = data()
    cw = {"out_a": {2: 5.0}, "out_b": {1: 0.2}}
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    m.fit(x, [ya, yb], class_weight=cw, batch_size=N, epochs=1, shuffle=False, verbose=0)
    got = m.evaluate(x, [ya, yb], batch_size=N, verbose=0, return_dict=True)  # no class_weight in evaluate
    weighted = run_test_program(m, x, [ya, yb], class_weight=cw)
    want = run_test_program(m, x, [ya, yb], [_keras_class_weights(ya, cw["out_a"]), _keras_class_weights(yb, cw["out_b"])])
    np.testing.assert_allclose(list(weighted.values()), list(want.values()), rtol=1e-6)
    assert not np.allclose(got["loss"], weighted["loss"])


def test_class_weight_with_invalid_key_raises():
    x, ya, yb, _, _ = data()
    m = two_output_model()
    m.compile("sgd", **COMPILE)
    with pytest.raises(ValueError, match="class indices"):
        m.fit(x, [ya, yb], class_weight={"cats": 2.0}, verbose=0)


def _temporal_model():
    pk.utils.set_random_seed(0)
    return pk.Sequential([pk.Input((5, 3)), layers.Dense(2)])


def test_temporal_sample_weights_weight_each_timestep():
    r = np.random.default_rng(2)
    x = r.normal(size=(N, 5, 3)).astype("float32")
    y = r.normal(size=(N, 5, 2)).astype("float32")
    sw = r.uniform(0, 2, size=(N, 5)).astype("float32")
    m = _temporal_model()
    m.compile("sgd", loss="mse")
    p = m.predict(x, verbose=0)
    got = m.evaluate(x, y, sample_weight=sw, batch_size=N, verbose=0)
    np.testing.assert_allclose(got, (((y - p) ** 2).mean(-1) * sw).sum() / (N * 5), rtol=1e-5)


def test_sample_weight_mode_temporal_is_accepted():
    r = np.random.default_rng(2)
    x = r.normal(size=(N, 5, 3)).astype("float32")
    y = r.normal(size=(N, 5, 2)).astype("float32")
    sw = r.uniform(0, 2, size=(N, 5)).astype("float32")
    m1, m2 = _temporal_model(), _temporal_model()
    m1.compile("sgd", loss="mse", sample_weight_mode="temporal")
    m2.compile("sgd", loss="mse")
    np.testing.assert_allclose(m1.evaluate(x, y, sample_weight=sw, verbose=0),
                               m2.evaluate(x, y, sample_weight=sw, verbose=0), rtol=1e-6)


def test_sample_weight_mode_temporal_refuses_1d_weights():
    r = np.random.default_rng(2)
    x = r.normal(size=(N, 5, 3)).astype("float32")
    y = r.normal(size=(N, 5, 2)).astype("float32")
    m = _temporal_model()
    m.compile("sgd", loss="mse", sample_weight_mode="temporal")
    with pytest.raises(ValueError, match="temporal"):
        m.evaluate(x, y, sample_weight=np.ones(N, "float32"), verbose=0)
