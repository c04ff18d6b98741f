"""Compile-time resolution of losses, metrics, targets, sample and class weights per output.

Everything here works on flat lists in model-output order, on traced tensors (the compiled
program) and on arrays alike (eager): `compute_loss()` is the one place the weighted total loss,
the per-output loss trackers and the metric updates are emitted. No tracing, no programs, no
data adapters here (see program_builder.py).
"""

import numpy as np

from pykerascore import losses as losses_module
from pykerascore import metrics as metrics_module
from pykerascore import ops
from pykerascore.utils import tree


# ----------------------------------------------------------------------------- output names
def output_names(model, y_pred):
    """Names of the model's outputs in flat output order (dict outputs: their keys)."""
    flat = tree.flatten(y_pred)
    if isinstance(y_pred, dict):
        return sorted(y_pred)  # tree.flatten order
    names = getattr(model, "output_names", None)
    if names and len(names) == len(flat):
        return list(names)
    return [f"output_{i + 1}" for i in range(len(flat))]


def _is_single(arg):
    return not isinstance(arg, (list, tuple, dict))


def per_output(arg, names, what, single_ok=True):
    """`arg` (one value for every output, a list in output order, or a dict by output name)
    as a list in output order; outputs a dict leaves out get None."""
    n = len(names)
    if arg is None:
        return [None] * n
    if isinstance(arg, dict):
        unknown = [k for k in arg if k not in names]
        if unknown:
            raise ValueError(
                f"Unknown output name(s) {unknown} in `{what}`: the model's outputs are {names}. "
                f"Received: {what}={arg}"
            )
        return [arg.get(name) for name in names]
    if isinstance(arg, (list, tuple)):
        if len(arg) != n:
            raise ValueError(
                f"`{what}` has {len(arg)} entries but the model has {n} output(s) {names}: pass one entry per "
                f"output, a dict by output name, or a single value for every output. Received: {what}={arg}"
            )
        return list(arg)
    if not single_ok and n > 1:
        raise ValueError(f"`{what}` must be a list or dict for a model with {n} outputs {names}. Received: {what}={arg}")
    return [arg] * n


def _check_weight(w, what):
    if w is None:
        return None
    if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)):
        raise ValueError(f"`{what}` entries must be numbers (Python floats). Received: {w!r}")
    return float(w)


# -------------------------------------------------------------------------- shape-based names
def _binary_or_sparse(y_true, y_pred):
    t_shape, p_shape = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = p_shape[-1] == 1
    is_sparse = len(t_shape) < len(p_shape) or (t_shape[-1] == 1 and p_shape[-1] != 1)
    return is_binary, is_sparse


def resolve_loss(identifier, y_true, y_pred):
    """A Loss instance; "crossentropy"/"ce" pick the binary / sparse / categorical variant."""
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = _binary_or_sparse(y_true, y_pred)
        if is_binary:
            return losses_module.BinaryCrossentropy(name=identifier)
        if is_sparse:
            return losses_module.SparseCategoricalCrossentropy(name=identifier)
        return losses_module.CategoricalCrossentropy(name=identifier)
    loss = losses_module.get(identifier)
    if isinstance(identifier, str):
        loss.name = identifier
    return loss


def resolve_metric(identifier, y_true, y_pred):
    """A Metric instance named as Keras logs it: the string itself, else the object's name.
    "accuracy"/"acc" and "crossentropy"/"ce" (D6) pick their variant by shapes."""
    if identifier is None:
        raise ValueError("Expected a metric, received `None`")
    key = identifier.lower() if isinstance(identifier, str) else None
    if key in ("accuracy", "acc", "crossentropy", "ce"):
        is_binary, is_sparse = _binary_or_sparse(y_true, y_pred)
        acc = key in ("accuracy", "acc")
        if is_binary:
            cls = metrics_module.BinaryAccuracy if acc else metrics_module.BinaryCrossentropy
        elif is_sparse:
            cls = metrics_module.SparseCategoricalAccuracy if acc else metrics_module.SparseCategoricalCrossentropy
        else:
            cls = metrics_module.CategoricalAccuracy if acc else metrics_module.CategoricalCrossentropy
        return cls(name=identifier)
    metric = metrics_module.get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


# -------------------------------------------------------------------------------- CompileLoss
class CompileLoss:
    """`compile(loss=..., loss_weights=...)` per output. `standardize(names)` (no shapes) says
    which outputs have a loss; `build(...)` resolves them from the target and output shapes."""

    def __init__(self, loss, loss_weights=None):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict, int, float)):
            raise ValueError(
                "Expected `loss_weights` to be a float (single output) or a list, tuple or dict (multiple outputs). "
                f"Received: loss_weights={loss_weights} of type {type(loss_weights)}"
            )
        self._loss_arg = loss
        self._weights_arg = loss_weights
        self.names = None
        self.user_losses = None   # per output: the user's identifier or None
        self.weights = None       # per output: float or None
        self.losses = None        # per output: Loss or None (after build)
        self.trackers = []        # Mean per output with a loss, when more than one loss

    @property
    def built(self):
        return self.losses is not None

    def standardize(self, names):
        if self.names == list(names):
            return
        losses = per_output(self._loss_arg, names, "loss")
        weights = self._weights_arg
        if isinstance(weights, (int, float)) and not isinstance(weights, bool):
            weights = [weights] * len(names)
        weights = [_check_weight(w, "loss_weights") for w in per_output(weights, names, "loss_weights")]
        if all(l is None for l in losses):
            raise ValueError(f"`loss` gives no loss for any of the model's outputs {list(names)}. Received: loss={self._loss_arg}")
        self.names, self.user_losses, self.weights = list(names), losses, weights
        self.losses = None
        with_loss = [n for n, l in zip(self.names, losses) if l is not None]
        # Keras tracks each output's (unweighted) loss only when there is more than one.
        self.trackers = [metrics_module.Mean(name=f"{n}_loss") for n in with_loss] if len(with_loss) > 1 else []

    def build(self, y_true, y_pred):
        """Resolves the losses from flat target/output lists (y_true None where no data)."""
        self.losses = [None if ident is None else resolve_loss(ident, yt, yp)
                       for ident, yt, yp in zip(self.user_losses, y_true, y_pred)]

    def __call__(self, y_true, y_pred, sample_weights, rows):
        """Weighted sum of the output losses; updates the per-output trackers (each weighted by
        the batch's row count `rows`, as Keras)."""
        total = None
        trackers = iter(self.trackers)
        for loss, w, yt, yp, sw in zip(self.losses, self.weights, y_true, y_pred, sample_weights):
            if loss is None:
                continue
            value = loss(yt, yp, sw)
            if self.trackers:
                next(trackers).update_state(value, sample_weight=rows)
            if w is not None:
                value = ops.multiply(value, w)
            total = value if total is None else ops.add(total, value)
        return total


# ----------------------------------------------------------------------------- CompileMetrics
class CompileMetrics:
    """`compile(metrics=..., weighted_metrics=...)`: per output as Keras 3 does, named
    "<output>_<metric>" for multi-output models (D1), resolved once from the first data."""

    def __init__(self, metrics=None, weighted_metrics=None):
        for what, arg in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if arg and not isinstance(arg, (list, tuple, dict)):
                raise ValueError(f"Expected `{what}` argument to be a list, tuple, or dict. "
                                 f"Received instead: {what}={arg} of type {type(arg)}")
        self._metrics_arg = metrics
        self._weighted_arg = weighted_metrics
        self.names = None
        self.user_metrics = None   # per output: list of identifiers
        self.user_weighted = None
        self.metrics = None        # per output: list of Metric (after build)
        self.weighted = None

    @property
    def built(self):
        return self.metrics is not None

    def _per_output(self, arg, what):
        names = self.names
        if not arg:
            return [[] for _ in names]
        if len(names) == 1:
            return [[m for m in tree.flatten(arg) if m is not None]]  # everything applies to the one output
        if isinstance(arg, dict) or (isinstance(arg, (list, tuple)) and len(arg) == len(names)):
            entries = per_output(arg, names, what)
            return [[] if e is None else [m for m in tree.flatten(e) if m is not None] for e in entries]
        raise ValueError(
            f"Invalid `{what}`: for a model with {len(names)} outputs {names}, `{what}` must be a dict by output "
            f"name or a list with one entry (a metric or a list of metrics) per output. Received: {what}={arg}"
        )

    def standardize(self, names):
        if self.names == list(names):
            return
        self.names = list(names)
        self.user_metrics = self._per_output(self._metrics_arg, "metrics")
        self.user_weighted = self._per_output(self._weighted_arg, "weighted_metrics")
        self.metrics = None

    def needs_target(self, i):
        return bool(self.user_metrics[i] or self.user_weighted[i])

    def build(self, y_true, y_pred):
        self.metrics = [[resolve_metric(m, yt, yp) for m in ms] for ms, yt, yp in zip(self.user_metrics, y_true, y_pred)]
        self.weighted = [[resolve_metric(m, yt, yp) for m in ms] for ms, yt, yp in zip(self.user_weighted, y_true, y_pred)]
        self._name_metrics()

    def _name_metrics(self):
        """Display names as Keras's CompileMetrics.result(): "<output>_" prefix for multi-output,
        duplicates suffixed "_1", "_2"...; a weighted metric clashing with a plain one gets
        "weighted_". The names are set on the metric objects (as Keras 2), so logs use m.name."""
        prefix = len(self.names) > 1
        taken = {}
        for metric_lists, weighted in ((self.metrics, False), (self.weighted, True)):
            for out_name, ms in zip(self.names, metric_lists):
                for m in ms:
                    base = getattr(m, "_compile_base_name", None) or m.name
                    m._compile_base_name = base  # recompiling must not stack prefixes
                    name = f"{out_name}_{base}" if prefix else base
                    if name in taken and weighted:
                        name = f"{out_name}_weighted_{base}" if prefix else f"weighted_{base}"
                    if name in taken:
                        taken[name] += 1
                        unique = f"{name}_{taken[name]}"
                    else:
                        taken[name] = 0
                        unique = name
                    m.name = unique

    @property
    def all(self):
        """The metric objects in log order: plain metrics by output, then weighted ones."""
        if not self.built:
            return []
        return [m for ms in self.metrics for m in ms] + [m for ms in self.weighted for m in ms]

    def update_state(self, y_true, y_pred, sample_weights):
        for ms, yt, yp in zip(self.metrics, y_true, y_pred):
            for m in ms:
                m.update_state(yt, yp)
        for ms, yt, yp, sw in zip(self.weighted, y_true, y_pred, sample_weights):
            for m in ms:
                m.update_state(yt, yp, sample_weight=sw)


# ------------------------------------------------------------------- targets and sample weights
def _is_array_like(a):
    return hasattr(a, "shape") or isinstance(a, (list, tuple))


class TargetPlan:
    """Which data feeds each output: `y_pos[i]` indexes the flat y list (None: no target),
    `sw_pos[i]` picks the sample weight ("all" for one array shared by every output, an int
    index into a list, a dict key, or None)."""

    def __init__(self, names, y_keys, sw_desc, needs_target):
        n = len(names)
        self.names = list(names)
        self.y_pos = self._match_y(y_keys, needs_target)
        self.sw_pos = self._match_sw(sw_desc, n)

    def _match_y(self, y_keys, needs_target):
        names, n = self.names, len(self.names)
        if y_keys is None or len(y_keys) == 0:
            pos = [None] * n
        elif all(isinstance(k, str) for k in y_keys):
            unknown = [k for k in y_keys if k not in names]
            if unknown:
                raise ValueError(f"Unknown output name(s) {unknown} in the targets `y`: the model's outputs are {names}")
            pos = [y_keys.index(name) if name in y_keys else None for name in names]
        elif len(y_keys) == n:
            pos = list(range(n))
        else:
            wanted = [i for i in range(n) if needs_target[i]]
            if len(y_keys) != len(wanted):
                raise ValueError(
                    f"The model has {n} output(s) {names} ({len(wanted)} with a loss or metrics) but received "
                    f"{len(y_keys)} target array(s) `y`: pass one per output, in output order or as a dict by "
                    "output name."
                )
            pos = [None] * n
            for j, i in enumerate(wanted):
                pos[i] = j
        missing = [names[i] for i in range(n) if needs_target[i] and pos[i] is None]
        if missing:
            raise ValueError(f"No target data `y` for output(s) {missing}, which have a loss or metrics in compile().")
        return pos

    def _match_sw(self, desc, n):
        names = self.names
        if desc is None:
            return [None] * n
        kind, keys = desc
        if kind == "single":
            return ["all"] * n
        if kind == "dict":
            unknown = [k for k in keys if k not in names]
            if unknown:
                raise ValueError(f"Unknown output name(s) {unknown} in `sample_weight`: the model's outputs are {names}")
            return [name if name in keys else None for name in names]
        if keys == n:
            return list(range(n))
        with_y = [i for i in range(n) if self.y_pos[i] is not None]
        if keys != len(with_y):
            raise ValueError(f"`sample_weight` is a list of {keys} arrays but the model has {n} output(s) {names}: "
                             "pass one per output (None allowed), a dict by output name, or one array for all outputs.")
        pos = [None] * n
        for j, i in enumerate(with_y):
            pos[i] = j
        return pos

    def pick_y(self, y_flat):
        return [None if p is None else y_flat[p] for p in self.y_pos]

    def pick_sample_weights(self, sw):
        out = []
        for p in self.sw_pos:
            if p is None:
                out.append(None)
            elif p == "all":
                out.append(sw)
            else:
                out.append(sw[p])
        return out


def describe_sample_weight(sw):
    """("single", None) | ("list", n) | ("dict", keys) | None: how a sample_weight structure
    maps to outputs (a list of numbers is one array, a list of arrays is per output)."""
    if sw is None:
        return None
    if isinstance(sw, dict):
        return ("dict", tuple(sw))
    if isinstance(sw, (list, tuple)) and any(a is None or getattr(a, "ndim", np.ndim(a)) >= 1 for a in sw):
        return ("list", len(sw))
    return ("single", None)


def flat_sample_weights(sw):
    """The distinct sample-weight arrays of a structure, in feed order (dict: sorted keys)."""
    desc = describe_sample_weight(sw)
    if desc is None:
        return []
    if desc[0] == "single":
        return [np.asarray(sw)]
    if desc[0] == "dict":
        return [np.asarray(sw[k]) for k in sorted(sw) if sw[k] is not None]
    return [np.asarray(a) for a in sw if a is not None]


# ---------------------------------------------------------------------------- class weights
def _class_table(cw, what):
    table = {}
    for k, v in cw.items():
        try:
            k_int = int(k)
        except (TypeError, ValueError):
            raise ValueError(f"`{what}` must map integer class indices to weights. Received an invalid key: {k!r}")
        if k_int < 0:
            raise ValueError(f"`{what}` keys must be class indices >= 0. Received: {k!r}")
        table[k_int] = float(v)
    return tuple(sorted(table.items()))


def standardize_class_weight(class_weight, names):
    """Per output, a sorted tuple of (class, weight) or None (D12): one {class: weight} dict
    applies to every output; {output_name: {class: weight}} applies per output."""
    n = len(names)
    if class_weight is None or (hasattr(class_weight, "__len__") and len(class_weight) == 0):
        return [None] * n
    if not hasattr(class_weight, "items"):
        raise ValueError(f"`class_weight` must be a dict mapping class indices to weights. Received: {class_weight!r} "
                         f"of type {type(class_weight)}")
    if all(isinstance(k, str) and k in names for k in class_weight):
        out = []
        for name in names:
            cw = class_weight.get(name)
            if cw is not None and not hasattr(cw, "items"):
                raise ValueError(f"`class_weight['{name}']` must be a dict mapping class indices to weights. Received: {cw!r}")
            out.append(_class_table(cw, f"class_weight['{name}']") if cw else None)
        return out
    bad = [k for k in class_weight if isinstance(k, str) and not k.strip().lstrip("-").isdigit()]
    if bad:
        raise ValueError(f"`class_weight` keys must be class indices, or output names {list(names)} for per-output "
                         f"class weights. Received invalid key(s): {bad}")
    table = _class_table(class_weight, "class_weight")
    return [table] * n


def apply_class_weights(y_true, sample_weights, tables):
    """Per output, the sample weight times the class weight of each target (Keras 2 multiplies
    them); the class weights come from the native `class_weight_to_sample_weight` op."""
    out = []
    for yt, sw, table in zip(y_true, sample_weights, tables):
        if table is None or yt is None:
            out.append(sw)
            continue
        cw = losses_module.class_weight_to_sample_weight(yt, dict(table))
        if sw is not None:
            sw = ops.cast(sw, "float32")
            cw_rank, sw_rank = len(ops.shape(cw)), len(ops.shape(sw))
            while cw_rank < sw_rank:  # per-sample class weights against temporal (N, T) weights
                cw, cw_rank = ops.expand_dims(cw, -1), cw_rank + 1
            while sw_rank < cw_rank:  # per-sample weights against per-timestep class weights
                sw, sw_rank = ops.expand_dims(sw, -1), sw_rank + 1
            cw = ops.multiply(cw, sw)
        out.append(cw)
    return out


# ---------------------------------------------------------------------------- loss + metrics
def standardize(model, names):
    """Spreads the compiled loss / metric arguments over the outputs `names` (no shapes needed);
    returns, per output, whether it needs target data (it has a loss or metrics)."""
    model._compile_loss.standardize(names)
    needs = [l is not None for l in model._compile_loss.user_losses]
    if model._compile_metrics is not None:
        model._compile_metrics.standardize(names)
        needs = [a or model._compile_metrics.needs_target(i) for i, a in enumerate(needs)]
    return needs


def compute_loss(model, y_true, y_pred, sample_weights, rows, extra_losses=()):
    """The step's total loss (weighted output losses plus `extra_losses`, e.g. regularization),
    with the "loss" tracker, per-output trackers and metrics updated. Lists are in output order.
    Builds the model's CompileLoss / CompileMetrics on first use."""
    if not model._compile_loss.built:
        model._compile_loss.build(y_true, y_pred)
    if model._compile_metrics is not None and not model._compile_metrics.built:
        model._compile_metrics.build(y_true, y_pred)
    loss = model._compile_loss(y_true, y_pred, sample_weights, rows)
    for penalty in extra_losses:
        loss = ops.add(loss, penalty)  # Keras: total loss = compiled loss + sum(model.losses)
    model._loss_tracker.update_state(loss, sample_weight=rows)
    if model._compile_metrics is not None:
        model._compile_metrics.update_state(y_true, y_pred, sample_weights)
    return loss
