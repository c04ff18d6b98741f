"""The Metric base: custom Python metrics (add_variable, update_state, result, reset_state) used
eagerly and inside compiled fit/evaluate, naming, lookup by name, errors before kernels run."""

import numpy as np
import pytest

import pykerascore as keras
from pykerascore import ops


def test_custom_metric_assign_add_eager():
    class Total(keras.metrics.Metric):
        def __init__(self):
            super().__init__(name="total")
            self.total = self.add_variable(shape=(2,), initializer="zeros", name="t")

        def update_state(self, values):
            self.total.assign_add(values)

        def result(self):
            return self.total.numpy()

    m = Total()
    m.update_state(np.array([1.0, 2.0], "float32"))
    m.update_state(np.array([3.0, 4.0], "float32"))
    np.testing.assert_allclose(m.result(), [4.0, 6.0])
    m.reset_state()
    np.testing.assert_allclose(m.result(), [0.0, 0.0])


def test_custom_metric_assign_add_on_traced_tensor_is_a_graph_op():
    from pykerascore.backend import symbolic

    class Total(keras.metrics.Metric):
        def __init__(self):
            super().__init__(name="total")
            self.total = self.add_variable(shape=(3,), initializer="zeros", name="t")

        def update_state(self, values):
            self.total.assign_add(ops.multiply(values, 2.0))
            self.total.assign_sub(values)

        def result(self):
            return self.total.numpy()

    m = Total()
    graph = symbolic.new_graph()
    with symbolic.tracing(graph):
        x = symbolic.placeholder(graph, (3,), "float32", "x")
        m.update_state(x)
    assert m.result().tolist() == [0.0, 0.0, 0.0]  # tracing alone changes nothing
    for _ in range(2):
        graph.evaluate({x._vid: np.array([1.0, 2.0, 3.0], "float32")}, [])
    np.testing.assert_allclose(m.result(), [2.0, 4.0, 6.0])


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    return m


def test_builtin_metrics_inside_compiled_evaluate_match_eager():
    r = np.random.default_rng(0)
    x = r.normal(size=(50, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = _model()
    metrics = [keras.metrics.AUC(), keras.metrics.Precision(), keras.metrics.Recall(thresholds=[0.3, 0.7]),
               keras.metrics.BinaryCrossentropy(), keras.metrics.RootMeanSquaredError()]
    model.compile(optimizer="sgd", loss="mse", metrics=metrics)
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    fresh = [keras.metrics.AUC(), keras.metrics.Precision(), keras.metrics.Recall(thresholds=[0.3, 0.7]),
             keras.metrics.BinaryCrossentropy(), keras.metrics.RootMeanSquaredError()]
    for m, f in zip(metrics, fresh):
        for i in range(0, 50, 16):
            f.update_state(y[i:i + 16], pred[i:i + 16])
        np.testing.assert_allclose(logs[m.name], f.result(), rtol=1e-5, atol=1e-6, err_msg=m.name)


def test_metrics_accumulate_natively_during_fit():
    r = np.random.default_rng(1)
    x = r.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = _model()
    metrics = [keras.metrics.AUC(name="auc"), "precision", keras.metrics.MeanAbsoluteError()]
    model.compile(optimizer="sgd", loss="mse", metrics=metrics)
    hist = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    precision = next(k for k in hist.history if k.startswith("precision"))
    for name in ("auc", precision, "mean_absolute_error"):
        assert name in hist.history and len(hist.history[name]) == 2
        assert np.all(np.isfinite(hist.history[name]))


def test_custom_metric_state_updated_in_compiled_loop():
    r = np.random.default_rng(2)
    x = r.normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")

    class MeanPred(keras.metrics.Metric):
        def __init__(self, name="mean_pred"):
            super().__init__(name=name)
            self.mean = keras.metrics.Mean()

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.mean.update_state(y_pred)

        def result(self):
            return self.mean.result()

    model = _model()
    custom = MeanPred()
    model.compile(optimizer="sgd", loss="mse", metrics=[custom])
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert len(custom.variables) == 1
    assert logs["mean_pred"] == pytest.approx(float(np.mean(model.predict(x, verbose=0))), rel=1e-5)


def test_default_names_follow_keras():
    assert keras.metrics.AUC().name.startswith("auc")
    assert keras.metrics.MeanSquaredError().name == "mean_squared_error"
    assert keras.metrics.LogCoshError().name == "logcosh"
    a, b = keras.metrics.TruePositives(), keras.metrics.TruePositives()
    assert a.name != b.name and b.name.startswith("true_positives")


@pytest.mark.parametrize("ident,cls", [("mse", "MeanSquaredError"), ("auc", "AUC"), ("AUC", "AUC"),
                                        ("r2_score", "R2Score"), ("kl_divergence", "KLDivergence"),
                                        ("top_k_categorical_accuracy", "TopKCategoricalAccuracy")])
def test_get_by_name(ident, cls):
    assert type(keras.metrics.get(ident)).__name__ == cls


def test_get_unknown_name_raises():
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        keras.metrics.get("no_such_metric")


def test_serialize_round_trip():
    m = keras.metrics.Precision(thresholds=[0.2, 0.4], name="p")
    m2 = keras.metrics.deserialize(keras.metrics.serialize(m))
    assert isinstance(m2, keras.metrics.Precision) and m2.thresholds == [0.2, 0.4] and m2.name == "p"


def test_value_shape_error_names_the_metric_before_running():
    m = keras.metrics.MeanSquaredError(name="my_mse")
    with pytest.raises(ValueError, match="y_true shape"):
        m.update_state(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"))


def test_forgot_super_init():
    class Bad(keras.metrics.Metric):
        def __init__(self):
            self.v = self.add_variable((1,), "zeros")

    with pytest.raises(RuntimeError, match="super"):
        Bad()


def test_reset_state_zeroes_every_variable_in_place_keeping_dtype():
    m = keras.metrics.AUC(num_thresholds=5)
    m.update_state(np.array([0, 1, 1, 0], "float32"), np.array([0.1, 0.9, 0.6, 0.4], "float32"))
    before = [id(v) for v in m.variables]
    m.reset_state()
    assert [id(v) for v in m.variables] == before
    for v in m.variables:
        assert v.dtype == "float32" and not np.asarray(v).any()
    m.update_state(np.array([1], "float32"), np.array([0.9], "float32"))  # still accumulates afterwards
    assert np.asarray(m.variables[0]).sum() > 0
