"""Confusion-matrix metrics: TruePositives, TrueNegatives, FalsePositives, FalseNegatives,
Precision, Recall and AUC (ROC / PR / PRGAIN, Keras's interpolation). Each keeps one native
[4, thresholds(, labels)] state of weighted tp/fp/tn/fn counts that `metric_confusion_update`
adds into in place; results are computed from the counts here, once per execution (NumPy)."""

import numpy as np

from pykerascore import ops
from pykerascore.backend.symbolic import emit
from pykerascore.losses.loss import squeeze_or_expand_to_same_rank
from pykerascore.metrics.metric import Metric

NEG_INF = -1e10
EPSILON = 1e-7  # keras.config.epsilon()
TP, FP, TN, FN = 0, 1, 2, 3


def _to_list(x):
    return list(x) if isinstance(x, (list, tuple, np.ndarray)) else [x]


def parse_thresholds(thresholds, default):
    if thresholds is not None:
        bad = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in _to_list(default if thresholds is None else thresholds)]


def evenly_distributed(thresholds):
    """Keras uses a bucketed update when the thresholds are 0, 1/(n-1), ..., 1 (n >= 3)."""
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON))


def divide_no_nan(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def update_confusion(metric, state, y_true, y_pred, sample_weight, thresholds, evenly, top_k=None,
                     class_id=None, multi_label=False, label_weights=None, from_logits=False):
    """Emits the native update of `state` with Keras's rank alignment of labels and weights."""
    dtype = metric.dtype
    y_true, y_pred = ops.cast(y_true, dtype), ops.cast(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    inputs = [state, y_true, y_pred]
    if sample_weight is not None:
        sw = ops.expand_dims(ops.cast(sample_weight, dtype), -1)
        _, sw = squeeze_or_expand_to_same_rank(y_true, sw, expand_rank_1=False)
        inputs.append(sw)
    if class_id is not None and len(ops.shape(y_pred)) == 1:
        raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                         f"(num_samples, num_classes), found shape: {ops.shape(y_pred)}")
    attrs = {"thresholds": [float(t) for t in thresholds], "evenly": bool(evenly),
             "top_k": int(top_k or 0), "class_id": -1 if class_id is None else int(class_id),
             "multi_label": bool(multi_label), "from_logits": bool(from_logits)}
    if label_weights is not None and not multi_label:
        attrs["label_weights"] = [float(w) for w in np.ravel(label_weights)]
    emit("metric_confusion_update", inputs, attrs, name=metric.name)


class _ConfusionCounts(Metric):
    """Shared state and update of the threshold-based count metrics."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_thresholds(thresholds, default)
        self._evenly = evenly_distributed(self.thresholds)
        self._counts = self.add_variable((4, len(self.thresholds)), name="confusion_counts")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion(self, self._counts, y_true, y_pred, sample_weight, self.thresholds, self._evenly,
                         top_k=self.top_k, class_id=self.class_id)

    def _count(self, which):
        return self._counts.numpy()[which]

    def _finish(self, values):
        values = np.asarray(values)
        return float(values[0]) if len(self.thresholds) == 1 else values

    @property
    def true_positives(self):
        return self._count(TP)

    @property
    def false_positives(self):
        return self._count(FP)

    @property
    def true_negatives(self):
        return self._count(TN)

    @property
    def false_negatives(self):
        return self._count(FN)


class _ConditionCount(_ConfusionCounts):
    _which = TP

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def result(self):
        return self._finish(self._count(self._which))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    _which = TP


class FalsePositives(_ConditionCount):
    _which = FP


class TrueNegatives(_ConditionCount):
    _which = TN


class FalseNegatives(_ConditionCount):
    _which = FN


class Precision(_ConfusionCounts):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, top_k=top_k, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        tp, fp = self._count(TP), self._count(FP)
        return self._finish(divide_no_nan(tp, tp + fp))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Recall(_ConfusionCounts):
    _direction = "up"  # for callbacks' mode="auto" (as Keras)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, top_k=top_k, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        tp, fn = self._count(TP), self._count(FN)
        return self._finish(divide_no_nan(tp, tp + fn))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under the ROC or PR curve from bucketed counts at `num_thresholds` thresholds
    (the ends widened by epsilon so scores of exactly 0 and 1 are counted)."""
    _direction = "up"  # for callbacks' mode="auto" (as Keras)


    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if str(curve).lower() not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(float(t) for t in thresholds)
            self._evenly = evenly_distributed([0.0] + thresholds + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}")
            self.num_thresholds = int(num_thresholds)
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = [0.0 - EPSILON] + thresholds + [1.0 + EPSILON]
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=self.dtype)
        self._from_logits = bool(from_logits)
        self._counts = None
        if self.multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {shape}")
            self._num_labels = int(shape[1])
            state_shape = (4, self.num_thresholds, self._num_labels)
        else:
            state_shape = (4, self.num_thresholds)
        self._counts = self.add_variable(state_shape, name="confusion_counts")

    def _prepare_merge(self, other):
        if self._counts is None and other._counts is not None:
            self._build((None, other._num_labels))

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._counts is None:
            self._build(tuple(ops.shape(y_pred)))
        update_confusion(self, self._counts, y_true, y_pred, sample_weight, self._thresholds, self._evenly,
                         multi_label=self.multi_label, label_weights=self.label_weights,
                         from_logits=self._from_logits)

    def reset_state(self):
        if self._counts is not None:
            super().reset_state()

    def _counts_np(self):
        if self._counts is None:
            shape = (4, self.num_thresholds) if not self.multi_label else (4, self.num_thresholds, 0)
            return np.zeros(shape)
        return self._counts.numpy().astype(np.float64)

    @property
    def true_positives(self):
        return self._counts_np()[TP]

    @property
    def false_positives(self):
        return self._counts_np()[FP]

    @property
    def true_negatives(self):
        return self._counts_np()[TN]

    @property
    def false_negatives(self):
        return self._counts_np()[FN]

    def _average(self, by_label):
        if not self.multi_label:
            return float(np.sum(by_label))
        if self.label_weights is None:
            return float(np.mean(by_label))
        lw = self.label_weights.astype(np.float64)
        return float(divide_no_nan(np.sum(by_label * lw), np.sum(lw)))

    def _interpolate_pr_auc(self, tp, fp, fn):
        # Davis & Goadrich interpolation: precision varies as TP / P with TP and P = TP + FP
        # linear between neighbouring thresholds; the closed-form integral per interval.
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(np.where(both, ratio, 1.0))
        inc = divide_no_nan(slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        return self._average(np.sum(inc, axis=0))

    def result(self):
        tp, fp, tn, fn = self._counts_np()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN: recall and precision gains (Flach & Kull), clamped as Keras does
            scale = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * divide_no_nan(fp, tp)
            recall_gain = np.maximum(np.where(tp == 0, 0.0, recall_gain), 0.0)
            precision_gain = np.where(tp == 0, 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average(np.sum((x[:-1] - x[1:]) * heights, axis=0))

    def get_config(self):
        cfg = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
               "summation_method": self.summation_method, "multi_label": self.multi_label,
               "num_labels": self.num_labels,
               "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
               "from_logits": self._from_logits}
        if self._init_from_thresholds:
            cfg["thresholds"] = self.thresholds[1:-1]
        return cfg
