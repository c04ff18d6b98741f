"""Mean and MeanMetricWrapper: a native [total, count] accumulator (`metric_mean_update`)."""

import numpy as np

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import squeeze_or_expand_to_same_rank
from pykerascore.metrics.metric import Metric


class Mean(Metric):
    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._state = self.add_variable((2,), name="total_count")

    def update_state(self, values, sample_weight=None):
        values = ops.cast(values, "float32")
        inputs = [self._state, values]
        if sample_weight is not None:
            values, sample_weight = squeeze_or_expand_to_same_rank(values, ops.cast(sample_weight, "float32"))
            inputs = [self._state, values, sample_weight]
        emit("metric_mean_update", inputs, name=self.name)

    def result(self):
        total, count = self._state.numpy()
        return float(np.float32(total) / np.float32(count)) if count != 0 else 0.0


class MeanMetricWrapper(Mean):
    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(self._fn_kwargs)
        return cfg
