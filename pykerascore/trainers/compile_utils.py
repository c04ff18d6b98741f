"""Compile-time resolution of losses and metrics, and their emission into a program graph.

CompileLoss turns `compile(loss=...)` into one scalar (sum of output losses); CompileMetrics
resolves strings like "accuracy" from the target and output shapes, as Keras does, and emits
each metric's native update.
"""

from pykerascore import losses as losses_module
from pykerascore import metrics as metrics_module


class CompileLoss:
    def __init__(self, loss, loss_weights=None):
        self._loss_arg = loss
        self.loss_weights = loss_weights
        self._losses = None

    def build(self, y_true, y_pred, sample_weight=None):
        """Emits the total loss for single-output models; returns a scalar tensor."""
        if isinstance(self._loss_arg, (list, tuple, dict)):
            raise ValueError("Per-output losses are not supported yet; pass a single loss")
        if self._losses is None:
            self._losses = [losses_module.get(self._loss_arg)]
        loss = self._losses[0](y_true, y_pred, sample_weight)
        w = self.loss_weights
        if isinstance(w, (list, tuple)):
            w = w[0] if w else None
        if w is not None:
            from pykerascore import ops
            loss = ops.multiply(loss, float(w))
        return loss


class CompileMetrics:
    def __init__(self, metrics=None, weighted_metrics=None):
        self._metrics_arg = metrics or []
        self._weighted_arg = weighted_metrics or []
        if isinstance(self._metrics_arg, dict) or isinstance(self._weighted_arg, dict):
            raise ValueError("Per-output metric dicts are not supported yet")
        self.metrics = None
        self.weighted = None

    def _resolve(self, identifier, y_true, y_pred):
        if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
            t_shape, p_shape = tuple(y_true.shape), tuple(y_pred.shape)
            if p_shape[-1] == 1:
                m = metrics_module.BinaryAccuracy(name=identifier)
            elif len(t_shape) < len(p_shape) or (len(t_shape) == len(p_shape) and t_shape[-1] == 1):
                m = metrics_module.SparseCategoricalAccuracy(name=identifier)
            else:
                m = metrics_module.CategoricalAccuracy(name=identifier)
            return m
        m = metrics_module.get(identifier)
        if isinstance(identifier, str):
            m.name = identifier  # Keras logs a metric given by string under that string
        return m

    def build(self, y_true, y_pred, sample_weight=None):
        if self.metrics is None:
            self.metrics = [self._resolve(m, y_true, y_pred) for m in self._metrics_arg]
            self.weighted = [self._resolve(m, y_true, y_pred) for m in self._weighted_arg]
            for m in self.weighted:
                if m.name in [x.name for x in self.metrics]:
                    m.name = "weighted_" + m.name
        for m in self.metrics:
            m.update_state(y_true, y_pred)
        for m in self.weighted:
            m.update_state(y_true, y_pred, sample_weight)

    @property
    def all(self):
        return (self.metrics or []) + (self.weighted or [])
