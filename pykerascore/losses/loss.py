"""Loss base class and the weighting/reduction shared by every loss, as Keras's loss.py.

`Loss.__call__` converts the inputs to the loss dtype, asks `call()` for per-sample values,
merges any mask into the sample weights and reduces with one native `reduce_loss` op.
No loss formula lives here (see losses.py); no op is computed in Python.
"""

import numpy as np

from pykerascore import ops
from pykerascore.backend.symbolic import KerasTensor, emit
from pykerascore.utils.serialization import get_registered_name

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
_FLOATS = ("float32", "float64")


def standardize_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {_REDUCTIONS}. Received: reduction={reduction}"
        )
    return reduction


def serialize_function(fn, family_module):
    """Keras 3's config for the function a wrapper (LossFunctionWrapper, MeanMetricWrapper)
    holds: a built-in of `family_module` in the "builtins" form Keras writes for its own
    functions, any other under its registered name so custom objects find it again."""
    name = getattr(fn, "__name__", None)
    if name and getattr(family_module, name, None) is fn:
        return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
            "registered_name": get_registered_name(fn)}


def _snake(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def convert(x, dtype):
    """x as `dtype`: a cast op for traced tensors, a NumPy conversion for arrays."""
    if isinstance(x, KerasTensor):
        return ops.cast(x, dtype)
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    return np.asarray(x, dtype=dtype)


def float_dtype_of(x, default="float32"):
    d = str(getattr(x, "dtype", default))
    return d if d in _FLOATS else default


class Loss:
    """Base class for losses: subclass and implement `call(y_true, y_pred)` with pykerascore.ops,
    returning per-sample (or per-element) values; weighting and reduction happen here."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        dtype = getattr(dtype, "compute_dtype", dtype)  # a dtype policy
        self._dtype = str(dtype) if dtype is not None else "float32"

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = convert(y_pred, self.dtype)
        y_true = convert(y_true, self.dtype)
        values = self.call(y_true, y_pred)
        mask = self._mask_weights(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, reduction=self.reduction, mask=mask)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call()")

    def _mask_weights(self, y_true, y_pred):
        """Weights from a mask on the values (Keras's apply_mask), or None."""
        return None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rank alignment: a trailing dim of 1 is squeezed (or the rank-1 side expanded)."""
    r1, r2 = len(ops.shape(x1)), len(ops.shape(x2))
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and ops.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    if r2 == r1 + 1 and ops.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def expand_weights_to_rank(values, sample_weight):
    """Per-sample weights (N,) against values (N, T, ...) get trailing dims of 1 so they
    broadcast per sample (Keras 2's behaviour; Keras 3 would fail to broadcast)."""
    vs, ws = tuple(ops.shape(values)), tuple(ops.shape(sample_weight))
    if 0 < len(ws) < len(vs) and vs[:len(ws)] == ws:
        sample_weight = ops.reshape(sample_weight, ws + (1,) * (len(vs) - len(ws)))
    return sample_weight


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size", mask=None):
    """Weights (sample weights times mask weights) applied and the reduction done, as Keras.

    `mask` holds weights already scaled for the reduction (the `ignore_class_mask` op); it is
    merged into the sample weights the way Keras's apply_mask does."""
    reduction = standardize_reduction(reduction)
    dtype = float_dtype_of(values)
    if sample_weight is not None:
        sample_weight = convert(sample_weight, dtype)
    if mask is not None:
        if sample_weight is None:
            sample_weight = mask
        else:
            mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
            sample_weight = ops.multiply(expand_weights_to_rank(mask, sample_weight), mask)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        sample_weight = expand_weights_to_rank(values, sample_weight)
    shape = tuple(ops.shape(values))
    if reduction in ("none", None) or (sample_weight is None and shape in ((), (0,))):
        return values if sample_weight is None else ops.multiply(values, sample_weight)
    inputs = [values] if sample_weight is None else [values, sample_weight]
    return emit("reduce_loss", inputs, {"reduction": reduction})


class LossFunctionWrapper(Loss):
    """A loss function `fn(y_true, y_pred, **kwargs)` as a Loss (rank alignment first)."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        from pykerascore import losses  # the package imports this file

        cfg = super().get_config()
        cfg["fn"] = serialize_function(self.fn, losses)
        cfg.update(self._fn_kwargs)
        return cfg

    @classmethod
    def from_config(cls, config):
        """Takes `fn` as Keras's function dict or (older files) a bare function name."""
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, (str, dict)):
            from pykerascore.losses import deserialize
            fn = deserialize(fn)
        return cls(fn, **config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
