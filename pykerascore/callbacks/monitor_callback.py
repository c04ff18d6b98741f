# MonitorCallback: the shared part of callbacks that watch one logged quantity (EarlyStopping,
# ReduceLROnPlateau): mode resolution ("auto" inferred from the monitor name and the model's
# metrics, as Keras 3) and the min_delta improvement test. Sees only `self.model` and logs
# dicts; must not import pykerascore.backend or anything native.
import operator
import warnings

from pykerascore.callbacks.callback import Callback


class MonitorCallback(Callback):
    """Base for callbacks that monitor `monitor` and decide whether it improved.

    `mode` is "min", "max" or "auto"; with "auto" a `loss` / `val_loss` monitor is minimized
    and other names take the direction of the model metric of that name (its `_direction`,
    "up" or "down"); an undecidable name raises ValueError when first checked.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        # Resolved lazily (first epoch end): the model's metrics exist only once it has run.
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            for metric in _all_metrics(self.model):
                direction = getattr(metric, "_direction", None)
                if getattr(metric, "name", None) == name and direction is not None:
                    self.monitor_op = operator.gt if direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but Keras isn't able to "
                    "automatically determine whether that metric should be maximized or minimized. Pass "
                    "`mode='max'` in order to monitor based on the highest metric value, or pass `mode='min'` "
                    "in order to use the lowest value."
                )
        # Stored signed so one comparison covers both directions: `current - min_delta` must
        # beat the reference, i.e. be lower by |min_delta| (min) or higher by it (max).
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)
        else:
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _all_metrics(model):
    """The model's metric objects, containers (objects with a `metrics` list) opened up."""
    out = []
    stack = list(getattr(model, "metrics", None) or [])
    while stack:
        m = stack.pop(0)
        inner = getattr(m, "metrics", None)
        if isinstance(inner, (list, tuple)):
            stack[:0] = list(inner)
        else:
            out.append(m)
    return out
