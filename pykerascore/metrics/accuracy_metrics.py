"""Accuracy metrics (Keras formulas): binary, categorical, sparse categorical."""

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import squeeze_or_expand_to_same_rank
from pykerascore.metrics.reduction_metrics import MeanMetricWrapper


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = squeeze_or_expand_to_same_rank(ops.cast(y_true, "float32"), y_pred)
    return emit("binary_accuracy", [y_true, y_pred], {"threshold": float(threshold)})


def categorical_accuracy(y_true, y_pred):
    return emit("categorical_accuracy", [ops.cast(y_true, "float32"), y_pred])


def sparse_categorical_accuracy(y_true, y_pred):
    t_shape = ops.shape(y_true)
    squeezed = len(t_shape) == len(ops.shape(y_pred)) and t_shape[-1] == 1
    if squeezed:
        y_true = ops.squeeze(y_true, -1)
    matches = emit("sparse_categorical_accuracy", [y_true, y_pred])
    return ops.reshape(matches, t_shape) if squeezed else matches


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)
