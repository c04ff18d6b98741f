"""Program building: the model (plus its loss and metrics) traced into a native program per
mode, input signature and batch size, cached on the model.

Owns: matching data to the model's inputs, tracing, loss/metric emission, the model's flat
parameter pack. Knows nothing of epochs, callbacks, progress bars or data adapters.
"""

import numpy as np

from pykerascore import constraints
from pykerascore.backend import programs, symbolic
from pykerascore.utils import tree


class DataSpec:
    """Per-row shapes and dtypes of x (a flat list in model-input order), y (a flat list) and
    the sample weight: the part of a program's signature that comes from data."""

    def __init__(self, x, y=(), sample_weight=None):
        self.x = [(tuple(a.shape[1:]), str(a.dtype)) for a in x]
        self.y = [(tuple(a.shape[1:]), str(a.dtype)) for a in y]
        self.sample_weight = None if sample_weight is None else tuple(np.shape(sample_weight)[1:])

    def key(self, mode):
        if mode == "predict":
            return (tuple(self.x),)
        return (tuple(self.x), tuple(self.y), self.sample_weight)


class CompiledProgram:
    """A native program and how to feed it: inputs are x..., then y..., then sample_weight."""

    def __init__(self, native, mode, output_struct, num_x, num_y, has_sample_weight):
        self.native = native
        self.mode = mode
        self.output_struct = output_struct
        self.num_x, self.num_y, self.has_sample_weight = num_x, num_y, has_sample_weight

    def bind(self, x, y=(), sample_weight=None):
        arrays = list(x)
        names = [f"x[{i}]" for i in range(len(arrays))]
        if self.mode != "predict":
            arrays += list(y)
            names += [f"y[{i}]" for i in range(len(y))]
            if self.has_sample_weight:
                arrays.append(sample_weight)
                names.append("sample_weight")
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
    key = (mode, spec.key(mode), tuple(input_info), int(batch_size))
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
        return CompiledProgram(native, mode, y_pred, len(xs), 0, False)
    if len(outputs) != 1 or len(spec.y) != 1:
        raise ValueError("Only single-output models with one target array are supported so far")
    y_true = symbolic.placeholder(graph, (None,) + spec.y[0][0], "float32", "y_true")
    sw = None
    if spec.sample_weight is not None:
        sw = symbolic.placeholder(graph, (None,) + spec.sample_weight, "float32", "sample_weight")
    with symbolic.tracing(graph):
        y_p = outputs[0]
        loss = model._compile_loss.build(y_true, y_p, sw)
        for penalty in model._trace_regularization_losses():
            loss = loss + penalty  # Keras: total loss = compiled loss + sum(model.losses)
        model._loss_tracker.update_state(loss, sample_weight=programs.batch_size_of(xs[0]))
        model._compile_metrics.build(y_true, y_p, sw)
    feeds = xs + [y_true] + ([sw] if sw is not None else [])
    if mode == "train":
        native = programs.train_program(graph, feeds, loss, param_pack(model), model.optimizer, batch_size, fuse)
    else:
        native = programs.test_program(graph, feeds, batch_size)
    return CompiledProgram(native, mode, y_pred, len(xs), 1, sw is not None)


def param_pack(model):
    """The model's one flat buffer of trainable variables (rebuilt when that set changes)."""
    weights = model.trainable_weights
    key = tuple(id(v) for v in weights)
    if model._pack is None or model._pack[0] != key:
        model._pack = (key, programs.param_pack(weights))
    constraints.attach(model.optimizer, weights)  # projected natively after each update
    return model._pack[1]
