"""The Loss API: a custom Loss subclass (call() with pykerascore.ops) traced and differentiated,
LossFunctionWrapper, get / serialize / deserialize with Keras names and aliases, and
get_config / from_config round trips for every built-in class."""
import numpy as np
import pytest

from pykerascore import losses, ops

from . import reference as ref
from .helpers import finite_diff, value_and_grads


class ScaledSquaredError(losses.Loss):
    def __init__(self, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        d = ops.subtract(y_pred, y_true)
        return ops.multiply(ops.multiply(d, d), self.scale)  # per element: the reduction averages all

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def test_custom_loss_eager_value():
    rng = np.random.default_rng(0)
    t, p = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(4, 3)).astype(np.float32)
    got = ScaledSquaredError(scale=3.0)(t, p)
    np.testing.assert_allclose(got, 3.0 * np.mean((p.astype(float) - t) ** 2), rtol=1e-6)


def test_custom_loss_traced_and_differentiated():
    rng = np.random.default_rng(1)
    t, p = (rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2))
    sw = rng.uniform(0.5, 2, size=(4,)).astype(np.float32)
    loss = ScaledSquaredError(reduction="sum")  # (a Python-float constant is float32 in a graph)
    fn = lambda a, b, w: loss(a, b, sample_weight=w)  # noqa: E731
    value, (grad,), _, _ = value_and_grads(fn, [t, p, sw], [1])
    d = p.astype(np.float64) - t
    np.testing.assert_allclose(value, np.sum(2.0 * d ** 2 * sw[:, None]), rtol=1e-6)
    np.testing.assert_allclose(grad, 4.0 * d * sw[:, None], rtol=1e-6, atol=1e-7)


def test_custom_loss_float64_gradient_vs_finite_differences():
    class Cubic(losses.Loss):
        def call(self, y_true, y_pred):
            d = ops.subtract(y_pred, y_true)
            return ops.multiply(ops.multiply(d, d), d)

    rng = np.random.default_rng(2)
    t, p = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    fn = lambda a, b: Cubic(dtype="float64")(a, b)  # noqa: E731
    _, (grad,), _, _ = value_and_grads(fn, [t, p], [1])
    np.testing.assert_allclose(grad, 3 * (p - t) ** 2 / 6, rtol=1e-12)
    np.testing.assert_allclose(grad, finite_diff(fn, [t, p], 1), rtol=1e-6)


def test_custom_loss_name_and_config():
    loss = ScaledSquaredError(scale=5.0, name="sse", reduction="sum")
    assert loss.name == "sse"
    assert ScaledSquaredError().name == "scaled_squared_error"
    clone = ScaledSquaredError.from_config(loss.get_config())
    assert (clone.name, clone.reduction, clone.scale) == ("sse", "sum", 5.0)


def test_base_loss_call_not_implemented():
    with pytest.raises(NotImplementedError):
        losses.Loss()(np.zeros((2, 1)), np.zeros((2, 1)))


def test_loss_function_wrapper_passes_kwargs_and_aligns_ranks():
    t = np.array([1.0, 2.0, 3.0], np.float32)
    p = np.array([[1.5], [2.0], [1.0]], np.float32)
    w = losses.LossFunctionWrapper(losses.huber, delta=0.5)
    np.testing.assert_allclose(w(t, p), np.mean(ref.huber(t[:, None].astype(float), p.astype(float), 0.5)),
                               rtol=1e-6)


CLASSES = [
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1, "axis": -1}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.0}),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "from_logits": True}),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 3}),
    ("MeanSquaredError", {}), ("MeanAbsoluteError", {}), ("MeanAbsolutePercentageError", {}),
    ("MeanSquaredLogarithmicError", {}), ("Hinge", {}), ("SquaredHinge", {}), ("CategoricalHinge", {}),
    ("Huber", {"delta": 2.5}), ("LogCosh", {}), ("KLDivergence", {}), ("Poisson", {}), ("CosineSimilarity", {"axis": 0}),
]


@pytest.mark.parametrize("cls_name,kw", CLASSES)
def test_config_round_trip(cls_name, kw):
    loss = getattr(losses, cls_name)(reduction="sum", name="my_loss", **kw)
    cfg = loss.get_config()
    assert cfg["name"] == "my_loss" and cfg["reduction"] == "sum"
    for k, v in kw.items():
        assert cfg[k] == v
    clone = losses.deserialize(losses.serialize(loss))
    assert type(clone) is type(loss) and clone.get_config() == cfg


@pytest.mark.parametrize("name,cls", [
    ("mse", "MeanSquaredError"), ("MSE", "MeanSquaredError"), ("mean_squared_error", "MeanSquaredError"),
    ("mae", "MeanAbsoluteError"), ("mape", "MeanAbsolutePercentageError"), ("msle", "MeanSquaredLogarithmicError"),
    ("bce", "BinaryCrossentropy"), ("cce", "CategoricalCrossentropy"), ("kld", "KLDivergence"),
    ("kullback_leibler_divergence", "KLDivergence"), ("huber", "Huber"), ("huber_loss", "Huber"),
    ("logcosh", "LogCosh"), ("log_cosh", "LogCosh"), ("poisson", "Poisson"),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy"), ("categorical_hinge", "CategoricalHinge"),
    ("cosine_similarity", "CosineSimilarity"), ("CategoricalFocalCrossentropy", "CategoricalFocalCrossentropy"),
])
def test_get_by_name_gives_loss_instance(name, cls):
    assert type(losses.get(name)).__name__ == cls


def test_get_passes_through_and_wraps():
    inst = losses.Huber()
    assert losses.get(inst) is inst and losses.get(None) is None
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)
    assert isinstance(losses.get(losses.mse), losses.MeanSquaredError)
    custom = losses.get(lambda t, p: ops.subtract(p, t))
    assert isinstance(custom, losses.LossFunctionWrapper)
    cfg = {"class_name": "Huber", "config": {"delta": 2.0, "name": "h", "reduction": "sum"}}
    assert losses.get(cfg).get_config() == {"name": "h", "reduction": "sum", "delta": 2.0}


def test_get_unknown_raises():
    with pytest.raises(ValueError, match="nope"):
        losses.get("nope")


def test_function_serialization():
    s = losses.serialize(losses.mean_squared_error)
    assert s["class_name"] == "function" and s["config"] == "mean_squared_error"
    assert losses.deserialize(s) is losses.mean_squared_error
    assert losses.deserialize("mse") is losses.mean_squared_error
    assert isinstance(losses.deserialize("Hinge"), losses.Hinge)


def test_deserialize_custom_objects():
    s = losses.serialize(ScaledSquaredError(scale=4.0))
    clone = losses.deserialize(s, custom_objects={"ScaledSquaredError": ScaledSquaredError})
    assert isinstance(clone, ScaledSquaredError) and clone.scale == 4.0


def test_class_defaults_match_keras():
    assert losses.Huber().name == "huber_loss" and losses.Huber().delta == 1.0
    b = losses.BinaryFocalCrossentropy()
    assert (b.alpha, b.gamma, b.apply_class_balancing, b.from_logits, b.label_smoothing, b.axis) == (
        0.25, 2.0, False, False, 0.0, -1)
    c = losses.CategoricalFocalCrossentropy()
    assert (c.alpha, c.gamma) == (0.25, 2.0)
    assert losses.MeanSquaredError().reduction == "sum_over_batch_size"
    assert losses.SparseCategoricalCrossentropy().ignore_class is None
