"""Regression metrics (Keras formulas): value functions emitting native per-sample ops, their
MeanMetricWrapper classes, RootMeanSquaredError (a Mean of squared errors) and R2Score (a native
[sum, squared_sum, residual, count, num_samples] accumulator, `metric_r2_update`)."""

import warnings

import numpy as np

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import squeeze_or_expand_to_same_rank
from pykerascore.metrics.metric import Metric
from pykerascore.metrics.reduction_metrics import KerasValueMetric, Mean, float_pair


def _row_metric(op, y_true, y_pred, attrs=None, align=True):
    y_true, y_pred = float_pair(y_true, y_pred, align=align)
    return emit(op, [y_true, y_pred], attrs)


def mean_squared_error(y_true, y_pred):
    return _row_metric("metric_mean_squared_error", y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    return _row_metric("metric_mean_absolute_error", y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    return _row_metric("metric_mean_absolute_percentage_error", y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    return _row_metric("metric_mean_squared_logarithmic_error", y_true, y_pred)


def _check_last_axis(axis, y_pred, fn):
    if axis not in (-1, len(ops.shape(y_pred)) - 1):
        raise ValueError(f"{fn}: only the last axis is supported, got axis={axis}")


def cosine_similarity(y_true, y_pred, axis=-1):
    _check_last_axis(axis, y_pred, "cosine_similarity")
    return _row_metric("metric_cosine_similarity", y_true, y_pred)


def log_cosh(y_true, y_pred):
    return _row_metric("metric_log_cosh", y_true, y_pred)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
logcosh = log_cosh


class MeanSquaredError(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class CosineSimilarity(KerasValueMetric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class LogCoshError(KerasValueMetric):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    _direction = "down"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = ops.cast(y_true, self.dtype), ops.cast(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        err = ops.subtract(y_pred, y_true)
        return super().update_state(ops.multiply(err, err), sample_weight=sample_weight)

    def result(self):
        return float(np.sqrt(self._mean()))


class R2Score(Metric):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {valid}. "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self._stats = None
        self._num_classes = None

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim), with output_dim fully "
                             f"defined (not None). Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        self._num_classes = int(y_pred_shape[-1])
        # [sum(C), squared_sum(C), residual(C), count(C), num_samples]
        self._stats = self.add_variable((4 * self._num_classes + 1,), name="r2_stats")

    def _prepare_merge(self, other):
        if self._stats is None and other._stats is not None:
            self._build((None, other._num_classes), (None, other._num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = ops.cast(y_true, self.dtype), ops.cast(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if self._stats is None:
            self._build(tuple(ops.shape(y_true)), tuple(ops.shape(y_pred)))
        inputs = [self._stats, y_true, y_pred]
        if sample_weight is not None:
            sw = ops.cast(sample_weight, self.dtype)
            if len(ops.shape(sw)) == 1:
                sw = ops.expand_dims(sw, 1)
            inputs.append(sw)
        emit("metric_r2_update", inputs, name=self.name)

    def reset_state(self):
        if self._stats is not None:
            super().reset_state()

    def result(self):
        if self._stats is None:
            return 0.0
        s = self._stats.numpy().astype(np.float64)
        C = self._num_classes
        total_sum, squared_sum, residual, count = s[:C], s[C:2 * C], s[2 * C:3 * C], s[3 * C:4 * C]
        num_samples = s[4 * C]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = total_sum / count
            total = squared_sum - total_sum * mean
            raw = 1.0 - residual / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            if self.num_regressors > num_samples - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                              "Falling back to standard R2 score.", stacklevel=2)
            elif self.num_regressors == num_samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=2)
            else:
                n, p = num_samples, float(self.num_regressors)
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return float(score) if np.ndim(score) == 0 else np.asarray(score)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
