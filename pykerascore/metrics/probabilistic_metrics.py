"""Probabilistic metrics (Keras formulas): binary / categorical / sparse categorical
crossentropy, KL divergence and Poisson as value functions emitting native per-sample ops, and
their MeanMetricWrapper classes."""

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.metrics.reduction_metrics import KerasValueMetric, float_pair


def _check_last_axis(axis, y_pred, fn):
    if axis not in (-1, len(ops.shape(y_pred)) - 1):
        raise ValueError(f"{fn}: only the last axis is supported, got axis={axis}")


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_last_axis(axis, y_pred, "binary_crossentropy")
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_binary_crossentropy", [y_true, y_pred],
                {"from_logits": bool(from_logits), "label_smoothing": float(label_smoothing)})


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    _check_last_axis(axis, y_pred, "categorical_crossentropy")
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_categorical_crossentropy", [y_true, y_pred],
                {"from_logits": bool(from_logits), "label_smoothing": float(label_smoothing)})


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    if ignore_class is not None:
        raise ValueError("sparse_categorical_crossentropy: ignore_class is not supported")
    _check_last_axis(axis, y_pred, "sparse_categorical_crossentropy")
    if len(ops.shape(y_true)) == len(ops.shape(y_pred)) and ops.shape(y_true)[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    # The registered loss op computes Keras's per-sample values (float32).
    return emit("sparse_categorical_crossentropy", [y_true, ops.cast(y_pred, "float32")],
                {"from_logits": bool(from_logits)})


def kl_divergence(y_true, y_pred):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_kl_divergence", [y_true, y_pred])


def poisson(y_true, y_pred):
    y_true, y_pred = float_pair(y_true, y_pred)
    return emit("metric_poisson", [y_true, y_pred])


class BinaryCrossentropy(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


class CategoricalCrossentropy(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        if ignore_class is not None:
            raise ValueError("SparseCategoricalCrossentropy: ignore_class is not supported")
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


class KLDivergence(KerasValueMetric):
    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(KerasValueMetric):
    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)
