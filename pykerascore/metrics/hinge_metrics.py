"""Hinge metrics (Keras formulas): hinge, squared hinge and categorical hinge value functions
emitting native per-sample ops, and their MeanMetricWrapper classes."""

from pykerascore.backend.symbolic import emit
from pykerascore.metrics.reduction_metrics import KerasValueMetric, float_pair


def hinge(y_true, y_pred):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_hinge", [y_true, y_pred])


def squared_hinge(y_true, y_pred):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_squared_hinge", [y_true, y_pred])


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_categorical_hinge", [y_true, y_pred])


class Hinge(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
