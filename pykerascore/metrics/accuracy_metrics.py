"""Accuracy metrics (Keras formulas): value functions that emit native match ops, and their
MeanMetricWrapper classes. Matches are 0/1 values averaged by the native Mean accumulator."""

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.metrics.reduction_metrics import KerasValueMetric, float_pair


def accuracy(y_true, y_pred):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_accuracy", [y_true, y_pred])


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_binary_accuracy", [y_true, y_pred], {"threshold": float(threshold)})


def categorical_accuracy(y_true, y_pred):
    return emit("categorical_accuracy", [ops.cast(y_true, "float32"), ops.cast(y_pred, "float32")])


def sparse_categorical_accuracy(y_true, y_pred):
    t_shape = ops.shape(y_true)
    if len(t_shape) == len(ops.shape(y_pred)) and t_shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)  # Keras drops the trailing 1 from the matches as well
    return emit("sparse_categorical_accuracy", [y_true, ops.cast(y_pred, "float32")])


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = float_pair(y_true, y_pred, align=False)
    return emit("metric_top_k_accuracy", [y_true, y_pred], {"k": int(k), "sparse": False})


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    y_true, y_pred = float_pair(y_true, y_pred, align=False)
    return emit("metric_top_k_accuracy", [y_true, y_pred],
                {"k": int(k), "sparse": True, "from_sorted_ids": bool(from_sorted_ids)})


class Accuracy(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        # As Keras 3: `from_sorted_ids` is written only when True, so default configs match its.
        config = super().get_config()
        if not self.from_sorted_ids:
            config.pop("from_sorted_ids")
        return config
