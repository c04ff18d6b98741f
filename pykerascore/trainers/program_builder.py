"""Program building: the model (plus its loss and metrics) traced into a native program per
mode, input signature and batch size, cached on the model.

Owns: matching data to the model's inputs, tracing, loss/metric emission, the model's flat
parameter pack. Knows nothing of epochs, callbacks, progress bars or data adapters.
"""

import numpy as np

from pykerascore import config, constraints
from pykerascore.backend import programs, symbolic
from pykerascore.trainers import compile_utils
from pykerascore.utils import tree


class DataSpec:
    """Per-row shapes and dtypes of x (a flat list in model-input order), y (the adapter's flat
    list; `y_struct`, the user's y, names dict targets) and the sample weights (one array for
    every output, or a list / dict per output), plus `class_weight`: the part of a program's
    signature that comes from data."""

    def __init__(self, x, y=(), sample_weight=None, y_struct=None, class_weight=None):
        self.x = [(tuple(a.shape[1:]), _dtype_name(a.dtype)) for a in x]
        self.y = [(tuple(a.shape[1:]), _dtype_name(a.dtype)) for a in y]
        self.y_keys = tuple(sorted(y_struct)) if isinstance(y_struct, dict) and len(y_struct) == len(self.y) else None
        self.sw_desc = compile_utils.describe_sample_weight(sample_weight)
        self.sw_slots = _sw_slots(sample_weight)
        self.sw_shapes = tuple(tuple(np.shape(a)[1:]) for a in compile_utils.flat_sample_weights(sample_weight))
        self.sample_weight = self.sw_shapes[0] if len(self.sw_shapes) == 1 else (self.sw_shapes or None)
        self.class_weight = class_weight
        self._cw_key = _freeze(class_weight)

    def key(self, mode):
        if mode == "predict":
            return (tuple(self.x),)
        return (tuple(self.x), tuple(self.y), self.y_keys, self.sw_desc, self.sw_shapes, self._cw_key)


_DTYPE_NAMES = {}


def _dtype_name(dtype):
    """str(dtype), memoised: NumPy builds the name anew on every call, which cost as much as
    the rest of a small evaluate() call's setup."""
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = str(dtype)
    return name


def _sw_slots(sw):
    """Where each fed sample-weight array sits in the structure: "all", a list index or a key."""
    desc = compile_utils.describe_sample_weight(sw)
    if desc is None:
        return ()
    if desc[0] == "single":
        return ("all",)
    if desc[0] == "dict":
        return tuple(k for k in sorted(sw) if sw[k] is not None)
    return tuple(i for i, a in enumerate(sw) if a is not None)


def _freeze(obj):
    if isinstance(obj, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in obj.items()))
    return obj if obj is None or isinstance(obj, str) else float(obj)


class CompiledProgram:
    """A native program and how to feed it: x..., then the targets of the outputs that need
    one (output order), then the sample-weight arrays the outputs use."""

    def __init__(self, native, mode, output_struct, num_x, y_feed=(), sw_feed=()):
        self.native = native
        self.mode = mode
        self.output_struct = output_struct
        self.num_x = num_x
        self.y_feed = list(y_feed)    # indices into the flat y list
        self.sw_feed = list(sw_feed)  # slots of the sample-weight structure ("all", index or key)
        self.num_y = len(self.y_feed)
        self.has_sample_weight = bool(self.sw_feed)

    def bind(self, x, y=(), sample_weight=None):
        arrays = list(x)
        names = [f"x[{i}]" for i in range(len(arrays))]
        if self.mode != "predict":
            for i in self.y_feed:
                arrays.append(y[i])
                names.append(f"y[{i}]")
            for slot in self.sw_feed:
                arrays.append(np.asarray(sample_weight if slot == "all" else sample_weight[slot]))
                names.append("sample_weight" if slot == "all" else f"sample_weight[{slot!r}]")
        self.native.set_inputs(arrays, names)

    def bind_outputs(self, arrays):
        self.native.set_outputs(list(arrays))

    @property
    def steps_per_epoch(self):
        return self.native.steps_per_epoch

    @property
    def batch_size(self):
        return self.native.batch_size

    def begin_epoch(self, shuffle, seed, epoch):
        self.native.begin_epoch(shuffle, seed, epoch)

    def run(self, first, steps):
        return self.native.run(first, steps)

    def release(self):
        self.native.release_arrays()


def match_inputs(model, x_list, x_struct):
    """x as a flat list in the model's input order (dicts matched by input name), checked
    against the model's input shapes; builds a deferred model from the data first."""
    if not model.built:
        shapes = [a.shape for a in x_list]
        model.build(shapes[0] if len(shapes) == 1 else shapes)
    model_inputs = getattr(model, "inputs", None)
    if not model_inputs:
        return list(x_list), [("float32", f"input_{i}") for i in range(len(x_list))]
    flat = tree.flatten(model_inputs)
    names = [t._keras_history[0].name if t._keras_history else f"input_{i}" for i, t in enumerate(flat)]
    x = list(x_list)
    if isinstance(x_struct, dict):
        missing = [n for n in names if n not in x_struct]
        if missing:
            raise ValueError(f"Missing data for input(s) {missing}: expected keys {names}, got {list(x_struct)}")
        x = [np.asarray(x_struct[n]) for n in names]
    if len(x) != len(flat):
        raise ValueError(f"Model '{model.name}' expects {len(flat)} input(s), but it received {len(x)} input arrays.")
    for i, (t, a) in enumerate(zip(flat, x)):
        want = tuple(t.shape[1:])
        if len(a.shape) != len(t.shape) or any(w is not None and w != g for w, g in zip(want, a.shape[1:])):
            raise ValueError(
                f"Input {i} of layer \"{model.name}\" is incompatible with the layer: expected shape={tuple(t.shape)}, "
                f"found shape={tuple(a.shape)}"
            )
    return x, [(t.dtype, names[i]) for i, t in enumerate(flat)]


def get_program(model, mode, spec, input_info, batch_size):
    """The cached CompiledProgram of `model` for `mode` ("train" | "test" | "predict")."""
    # The device is part of the key: a program runs where it was built.
    key = (mode, spec.key(mode), tuple(input_info), int(batch_size), config.get_device())
    cached = model._programs.get(key)
    if cached is not None:
        return cached
    fuse = model._jit_compile is not False
    with symbolic.fusion(fuse):
        compiled = _build(model, mode, spec, input_info, batch_size, fuse)
    model._programs[key] = compiled
    return compiled


def _trace(model, graph, spec, input_info, training):
    xs = [symbolic.placeholder(graph, (None,) + shape, dtype, name) for (shape, _), (dtype, name) in zip(spec.x, input_info)]
    with symbolic.tracing(graph):
        struct = getattr(model, "_inputs_struct", None)
        inputs = xs[0] if len(xs) == 1 else xs
        if isinstance(struct, dict):
            inputs = dict(zip(struct.keys(), xs))
        y_pred = model._call_traced(inputs, [], {"training": training})
    return xs, y_pred


def _build(model, mode, spec, input_info, batch_size, fuse):
    graph = symbolic.new_graph()
    xs, y_pred = _trace(model, graph, spec, input_info, training=(mode == "train"))
    outputs = tree.flatten(y_pred)
    if mode == "predict":
        native = programs.predict_program(graph, xs, outputs, batch_size)
        return CompiledProgram(native, mode, y_pred, len(xs))
    feeds = list(xs)

    def make_input(kind, key, shape, name):
        t = symbolic.placeholder(graph, (None,) + shape, "float32", name)
        feeds.append(t)
        return t

    with symbolic.tracing(graph):
        loss, y_feed, sw_feed = loss_and_metrics(model, y_pred, spec, make_input, programs.batch_size_of(xs[0]),
                                                 extra_losses=model._trace_regularization_losses)
    if mode == "train":
        native = programs.train_program(graph, feeds, loss, param_pack(model), model.optimizer, batch_size, fuse)
    else:
        native = programs.test_program(graph, feeds, batch_size)
    return CompiledProgram(native, mode, y_pred, len(xs), y_feed, sw_feed)


def loss_and_metrics(model, y_pred, spec, make_input, rows, extra_losses=None):
    """Matches the data's targets / sample weights / class weights (`spec`) to the outputs of
    `y_pred`, emits the total loss and updates the loss trackers and metrics; shared by the
    compiled program and the eager step. `make_input(kind, key, row_shape, name)` returns the
    tensor for target `y[key]` (kind "y") or sample-weight slot `key` (kind "sw"); it is called
    in feed order: used targets in output order, then used sample-weight slots. `extra_losses`
    (a callable) gives terms added to the total, e.g. regularization. Returns (loss, y feed
    indices, sample-weight feed slots)."""
    names = compile_utils.output_names(model, y_pred)
    needs = compile_utils.standardize(model, names)
    plan = compile_utils.TargetPlan(names, spec.y_keys or list(range(len(spec.y))), spec.sw_desc, needs)
    y_pos = [p if need else None for p, need in zip(plan.y_pos, needs)]
    y_true = [None if p is None else make_input("y", p, spec.y[p][0], f"y_true[{names[i]}]") for i, p in enumerate(y_pos)]
    sw_slots = [s for s in spec.sw_slots if any(p == s and y is not None for p, y in zip(plan.sw_pos, y_true))]
    shapes = dict(zip(spec.sw_slots, spec.sw_shapes))
    sw_in = {s: make_input("sw", s, shapes[s], f"sample_weight[{s}]") for s in sw_slots}
    sample_weights = [sw_in.get(p) if y is not None else None for p, y in zip(plan.sw_pos, y_true)]
    _check_temporal(model, names, sample_weights)
    class_tables = compile_utils.standardize_class_weight(spec.class_weight, names)
    sample_weights = compile_utils.apply_class_weights(y_true, sample_weights, class_tables)
    loss = compile_utils.compute_loss(model, y_true, tree.flatten(y_pred), sample_weights, rows,
                                      extra_losses=extra_losses() if extra_losses else ())
    return loss, [p for p in y_pos if p is not None], sw_slots


def _check_temporal(model, names, sample_weights):
    """compile(sample_weight_mode="temporal") (per output, or one mode for all) wants (N, T)
    weights; without it, the rank of the weights decides (D9)."""
    modes = compile_utils.per_output(getattr(model, "_sample_weight_mode", None), names, "sample_weight_mode")
    for name, mode, sw in zip(names, modes, sample_weights):
        if mode == "temporal" and sw is not None and len(sw.shape) != 2:
            raise ValueError(
                f"compile(sample_weight_mode='temporal') expects 2D sample weights (samples, timesteps) for output "
                f"'{name}'; received sample weights of shape {tuple(sw.shape)}."
            )


def param_pack(model):
    """The model's one flat buffer of trainable variables (rebuilt when that set changes)."""
    weights = model.trainable_weights
    key = tuple(id(v) for v in weights)
    if model._pack is None or model._pack[0] != key:
        model._pack = (key, programs.param_pack(weights))
    constraints.attach(model.optimizer, weights)  # projected natively after each update
    return model._pack[1]
