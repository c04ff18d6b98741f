"""Built-in losses: a function per loss plus its class (Keras names and defaults)."""

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import LossFunctionWrapper


def mean_squared_error(y_true, y_pred):
    return emit("mean_squared_error", [ops.cast(y_true, "float32"), y_pred])


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    if ignore_class is not None:
        raise ValueError("sparse_categorical_crossentropy: ignore_class is not supported yet")
    if axis != -1:
        raise ValueError("sparse_categorical_crossentropy: only axis=-1 is supported")
    if len(ops.shape(y_true)) == len(ops.shape(y_pred)) and ops.shape(y_true)[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    return emit("sparse_categorical_crossentropy", [y_true, y_pred], {"from_logits": bool(from_logits)})


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        # Labels keep their own rank (no rank alignment), as in Keras.
        return self.fn(y_true, y_pred, **self._fn_kwargs)


mse = MSE = mean_squared_error
