"""Row groups: evaluate and predict programs run several batches per native step when every op
is row-local (csrc/engine/row_groups.h). The results must match one batch per step up to float
summation order, and anything that mixes rows across the batch must turn grouping off."""

import numpy as np
import pytest

import pykerascore as keras
from pykerascore import ops


def _data(n=1000, features=12, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, features)).astype("float32")
    y = (x[:, :3].sum(1) > 0).astype("int32")
    return x, y


def _model(*middle):
    m = keras.Sequential([keras.Input((12,)), keras.layers.Dense(16, activation="relu"), *middle,
                          keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _programs(m, mode):
    return [p.native for key, p in m._programs.items() if key[0] == mode]


def _per_batch_predict(m, x, bs):
    return np.concatenate([m.predict_on_batch(x[i:i + bs]) for i in range(0, len(x), bs)])


def _per_batch_evaluate(m, x, y, bs):
    m.reset_metrics()
    for i in range(0, len(x), bs):
        logs = m.test_on_batch(x[i:i + bs], y[i:i + bs], reset_metrics=False, return_dict=True)
    return logs


def test_predict_groups_batches_and_matches_one_batch_per_step():
    m = _model()
    x, _ = _data()
    out = m.predict(x, batch_size=32, verbose=0)
    (prog,) = _programs(m, "predict")
    assert prog.row_group == 32 and prog.row_group_blocker == ""  # 1024 rows per step
    np.testing.assert_allclose(out, _per_batch_predict(m, x, 32), rtol=1e-6, atol=1e-7)


def test_evaluate_groups_batches_and_matches_one_batch_per_step():
    m = _model()
    x, y = _data()
    logs = m.evaluate(x, y, batch_size=50, verbose=0, return_dict=True)  # 1000 rows: a partial last group
    (prog,) = _programs(m, "test")
    assert prog.row_group == 20
    expected = _per_batch_evaluate(m, x, y, 50)
    assert logs.keys() == expected.keys()
    for k in logs:
        np.testing.assert_allclose(logs[k], expected[k], rtol=1e-6)


def test_training_programs_never_group():
    m = _model()
    x, y = _data(256)
    m.fit(x, y, batch_size=32, epochs=1, verbose=0)
    (prog,) = _programs(m, "train")
    assert prog.row_group == 1


def test_large_batches_run_one_batch_per_step():
    m = _model()
    x, _ = _data(2100)
    m.predict(x, batch_size=1024, verbose=0)
    (prog,) = _programs(m, "predict")
    assert prog.row_group == 1


def test_steps_limits_the_rows_of_a_grouped_predict():
    m = _model()
    x, _ = _data()
    out = m.predict(x, batch_size=32, steps=5, verbose=0)
    assert out.shape == (160, 3)
    np.testing.assert_allclose(out, _per_batch_predict(m, x[:160], 32), rtol=1e-6, atol=1e-7)


def test_steps_limits_the_rows_of_a_grouped_evaluate():
    m = _model()
    x, y = _data()
    logs = m.evaluate(x, y, batch_size=32, steps=7, verbose=0, return_dict=True)
    expected = _per_batch_evaluate(m, x[:224], y[:224], 32)
    for k in logs:
        np.testing.assert_allclose(logs[k], expected[k], rtol=1e-6)


def test_sample_weights_and_multiple_outputs_group():
    a = keras.Input((12,), name="a")
    h = keras.layers.Dense(8, activation="relu")(a)
    m = keras.Model(a, {"cls": keras.layers.Dense(1, activation="sigmoid", name="cls")(h),
                        "reg": keras.layers.Dense(2, name="reg")(h)})
    m.compile(optimizer="sgd", loss={"cls": "binary_crossentropy", "reg": "mse"}, loss_weights={"cls": 1.0, "reg": 0.5},
              metrics={"cls": ["accuracy"]})
    x, yc = _data()
    y = {"cls": yc.astype("float32").reshape(-1, 1), "reg": x[:, :2] * 0.5}
    sw = np.random.default_rng(1).uniform(0.5, 2.0, size=len(x)).astype("float32")
    logs = m.evaluate(x, y, sample_weight=sw, batch_size=40, verbose=0, return_dict=True)
    (prog,) = _programs(m, "test")
    assert prog.row_group > 1
    m.reset_metrics()
    for i in range(0, len(x), 40):
        part = {k: v[i:i + 40] for k, v in y.items()}
        expected = m.test_on_batch(x[i:i + 40], part, sample_weight=sw[i:i + 40], reset_metrics=False,
                                   return_dict=True)
    for k in logs:
        np.testing.assert_allclose(logs[k], expected[k], rtol=1e-6)


def test_a_sum_reduction_turns_grouping_off():
    # "sum" makes each batch's loss depend on the batch size, so four batches of 32 are not one of 128
    m = _model()
    m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(reduction="sum"))
    x, y = _data()
    logs = m.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    (prog,) = _programs(m, "test")
    assert prog.row_group == 1 and "reduction" in prog.row_group_blocker
    np.testing.assert_allclose(logs["loss"], _per_batch_evaluate(m, x, y, 32)["loss"], rtol=1e-6)


def test_an_op_over_the_batch_axis_turns_grouping_off():
    # subtracting the batch mean makes each row depend on its batch-mates
    m = _model(keras.layers.Lambda(lambda t: t - ops.mean(t, axis=0, keepdims=True)))
    x, _ = _data()
    out = m.predict(x, batch_size=32, verbose=0)
    (prog,) = _programs(m, "predict")
    assert prog.row_group == 1 and "mean" in prog.row_group_blocker
    np.testing.assert_array_equal(out, _per_batch_predict(m, x, 32))


def test_softmax_over_the_batch_axis_turns_grouping_off():
    m = _model(keras.layers.Lambda(lambda t: ops.softmax(t, axis=0)))
    x, _ = _data()
    m.predict(x, batch_size=32, verbose=0)
    (prog,) = _programs(m, "predict")
    assert prog.row_group == 1 and "softmax" in prog.row_group_blocker


@pytest.mark.parametrize("batch_size", [1, 7, 100, 513])
def test_group_size_reaches_about_1024_rows(batch_size):
    m = _model()
    x, _ = _data(1100)
    m.predict(x, batch_size=batch_size, verbose=0)
    (prog,) = _programs(m, "predict")
    assert prog.row_group == max(1, 1024 // batch_size)
