"""Built-in losses: a function per loss (one native op each) plus its class, with Keras 3 names,
signatures, defaults and configs. The formulas live in csrc/ops/losses_*.cpp; this file only
converts dtypes, aligns ranks, checks arguments and passes options as op attributes.
"""

import warnings

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import (
    Loss,
    LossFunctionWrapper,
    convert,
    float_dtype_of,
    squeeze_or_expand_to_same_rank,
)


def _prep(y_true, y_pred, align=True):
    """y_pred in its float dtype, y_true cast to it, ranks aligned as Keras does."""
    dtype = float_dtype_of(y_pred)
    y_pred = convert(y_pred, dtype)
    y_true = convert(y_true, dtype)
    if align:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    return int(axis)


def _paired(op, y_true, y_pred, **attrs):
    y_true, y_pred = _prep(y_true, y_pred)
    return emit(op, [y_true, y_pred], attrs)


# ------------------------------------------------------------------------------- regression
def mean_squared_error(y_true, y_pred):
    return _paired("mean_squared_error", y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    return _paired("mean_absolute_error", y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    return _paired("mean_absolute_percentage_error", y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    return _paired("mean_squared_logarithmic_error", y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    return _paired("cosine_similarity", y_true, y_pred, axis=_check_axis(axis))


def huber(y_true, y_pred, delta=1.0):
    return _paired("huber", y_true, y_pred, delta=float(delta))


def log_cosh(y_true, y_pred):
    return _paired("log_cosh", y_true, y_pred)


# ------------------------------------------------------------------------------- hinge
def hinge(y_true, y_pred):
    return _paired("hinge", y_true, y_pred)


def squared_hinge(y_true, y_pred):
    return _paired("squared_hinge", y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    return _paired("categorical_hinge", y_true, y_pred)


# ------------------------------------------------------------------------------- probabilistic
def kl_divergence(y_true, y_pred):
    return _paired("kl_divergence", y_true, y_pred)


def poisson(y_true, y_pred):
    return _paired("poisson", y_true, y_pred)


def _warn_one_class(fn_name, y_pred, axis):
    shape = ops.shape(y_pred)
    if shape and shape[axis] == 1:
        warnings.warn(
            f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. "
            f"Received: y_pred.shape={tuple(shape)}. Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    axis = _check_axis(axis)
    y_true, y_pred = _prep(y_true, y_pred, align=False)
    _warn_one_class("categorical_crossentropy", y_pred, axis)
    return emit("categorical_crossentropy", [y_true, y_pred],
                {"from_logits": bool(from_logits), "label_smoothing": float(label_smoothing), "axis": axis})


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    axis = _check_axis(axis)
    y_true, y_pred = _prep(y_true, y_pred, align=False)
    _warn_one_class("categorical_focal_crossentropy", y_pred, axis)
    return emit("categorical_focal_crossentropy", [y_true, y_pred],
                {"alpha": float(alpha), "gamma": float(gamma), "from_logits": bool(from_logits),
                 "label_smoothing": float(label_smoothing), "axis": axis})


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    axis = _check_axis(axis)
    y_pred = convert(y_pred, float_dtype_of(y_pred))
    rank_t, rank_p = len(ops.shape(y_true)), len(ops.shape(y_pred))
    if rank_t == rank_p and rank_t and ops.shape(y_true)[axis] == 1:
        y_true = ops.squeeze(y_true, axis)
    attrs = {"from_logits": bool(from_logits), "axis": axis}
    if ignore_class is not None:
        attrs["ignore_class"] = int(ignore_class)
    return emit("sparse_categorical_crossentropy", [y_true, y_pred], attrs)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    axis = _check_axis(axis)
    y_true, y_pred = _prep(y_true, y_pred, align=False)
    return emit("binary_crossentropy", [y_true, y_pred],
                {"from_logits": bool(from_logits), "label_smoothing": float(label_smoothing), "axis": axis})


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    axis = _check_axis(axis)
    y_true, y_pred = _prep(y_true, y_pred, align=False)
    return emit("binary_focal_crossentropy", [y_true, y_pred],
                {"apply_class_balancing": bool(apply_class_balancing), "alpha": float(alpha), "gamma": float(gamma),
                 "from_logits": bool(from_logits), "label_smoothing": float(label_smoothing), "axis": axis})


# ------------------------------------------------------------------------------- classes
class _Builtin(LossFunctionWrapper):
    """A built-in loss: its config is Loss's plus the options named in `_config_keys`."""

    _config_keys = ()

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def get_config(self):
        cfg = Loss.get_config(self)
        cfg.update({k: self._fn_kwargs[k] for k in self._config_keys})
        return cfg

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MeanSquaredError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class CosineSimilarity(_Builtin):
    _config_keys = ("axis",)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class Huber(_Builtin):
    _config_keys = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


class LogCosh(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class Hinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class KLDivergence(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class BinaryCrossentropy(_Builtin):
    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(_Builtin):
    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_Builtin):
    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_Builtin):
    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction, name, dtype, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_Builtin):
    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)

    def call(self, y_true, y_pred):
        # Labels keep their own rank (no rank alignment), as in Keras.
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _mask_weights(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        if len(ops.shape(y_true)) == len(ops.shape(y_pred)) and ops.shape(y_true)[-1] == 1:
            y_true = ops.squeeze(y_true, -1)
        return emit("ignore_class_mask", [y_true],
                    {"ignore_class": int(self.ignore_class), "reduction": str(self.reduction),
                     "dtype": float_dtype_of(y_pred)})


# ------------------------------------------------------------------------------- class weights
def class_weight_to_sample_weight(y_true, class_weight, dtype="float32"):
    """Per-sample weights from a `{class_id: weight}` dict, from sparse targets (last dim 1 or
    none) or one-hot targets (argmax); classes missing from the dict weigh 1.0, as in Keras."""
    table = {}
    for k, v in dict(class_weight).items():
        k = int(k)
        if k < 0:
            raise ValueError(f"class_weight keys must be class indices >= 0, got {k}")
        table[k] = float(v)
    dense = [table.get(c, 1.0) for c in range(max(table) + 1)] if table else []
    return emit("class_weight_to_sample_weight", [y_true], {"class_weight": [float(w) for w in dense], "dtype": dtype})


# Keras 2 / legacy aliases of the functions.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy
cce = CCE = categorical_crossentropy
huber_loss = huber
