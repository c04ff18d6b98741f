"""Mean, Sum and MeanMetricWrapper: native accumulators (`metric_mean_update` adds into a
[total, count] state, `metric_sum_update` into a [total] state) with Keras's
reduce_to_samplewise_values weighting. Per-sample value functions live in the family files."""

import inspect

import numpy as np

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import serialize_function, squeeze_or_expand_to_same_rank
from pykerascore.metrics.metric import Metric


def _values_and_weight(values, sample_weight, dtype):
    values = ops.cast(values, dtype)
    if sample_weight is None:
        return values, None
    sample_weight = ops.cast(sample_weight, dtype)
    return squeeze_or_expand_to_same_rank(values, sample_weight)


class Sum(Metric):
    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._total = self.add_variable((1,), name="total")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = _values_and_weight(values, sample_weight, self.dtype)
        inputs = [self._total, values] + ([sample_weight] if sample_weight is not None else [])
        emit("metric_sum_update", inputs, name=self.name)

    def result(self):
        return float(self._total.numpy()[0])


class Mean(Metric):
    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._state = self.add_variable((2,), name="total_count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = _values_and_weight(values, sample_weight, self.dtype)
        inputs = [self._state, values] + ([sample_weight] if sample_weight is not None else [])
        emit("metric_mean_update", inputs, name=self.name)

    def _mean(self):
        total, count = self._state.numpy()
        dt = np.dtype(self.dtype).type
        return dt(total) / dt(count) if count != 0 else dt(0.0)  # divide_no_nan

    def result(self):
        return float(self._mean())


class MeanMetricWrapper(Mean):
    """Mean of `fn(y_true, y_pred, **kwargs)`; `fn` must emit ops (or be a built-in value
    function) so the whole update stays native."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        from pykerascore import metrics  # the package imports this file

        return {"name": self.name, "dtype": self.dtype, "fn": serialize_function(self._fn, metrics),
                **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        """Takes `fn` as Keras's function dict or (older files) a bare function name."""
        from pykerascore import metrics as metrics_module

        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, dict) and fn.get("registered_name") in (None, "function"):
            fn = fn.get("config")
        if isinstance(fn, str) and inspect.isfunction(getattr(metrics_module, fn, None)):
            fn = getattr(metrics_module, fn)  # a built-in value function (its class has the same snake name)
        elif isinstance(fn, (str, dict)):
            fn = metrics_module.deserialize(fn if isinstance(fn, dict) else {"class_name": "function", "config": fn})
        return cls(fn, **config)


class KerasValueMetric(MeanMetricWrapper):
    """Base of the built-in MeanMetricWrapper metrics: their config is name, dtype and the
    value function's keyword arguments, so `cls(**config)` rebuilds them."""

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def float_pair(y_true, y_pred, align=True):
    """Casts y_true and y_pred to y_pred's floating dtype (float32 unless it is a traced float64
    tensor) and, with `align`, applies Keras's squeeze-or-expand rank alignment."""
    dtype = "float64" if getattr(y_pred, "dtype", None) == "float64" and hasattr(y_pred, "_vid") else "float32"
    y_true, y_pred = ops.cast(y_true, dtype), ops.cast(y_pred, dtype)
    if align:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred
