"""Layer: the base of every layer and model.

A layer is called in one of three ways: on definition-time KerasTensors (functional API: the
call is traced once into a scratch graph for output shapes and recorded as a Node), on traced
tensors (while a program's graph is being built: `call()` emits ops), or on arrays (eager: the
layer is traced with concrete shapes and evaluated through the native kernels).

`losses` (Keras 3 `Layer.losses`) is context-dependent like everything else here: while a
graph is being traced it returns that graph's penalty tensors (activity regularization and
`add_loss` recorded during the traced call, weight regularization emitted on the spot); outside
tracing, concrete values from the last eager call plus the weight penalties evaluated now.
"""

import inspect
import re

import numpy as np

from pykerascore import constraints, initializers, ops, regularizers
from pykerascore.backend import symbolic
from pykerascore.backend.symbolic import KerasTensor
from pykerascore.backend.variables import Variable
from pykerascore.utils import tree

_name_counts = {}


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def unique_name(base):
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


class Node:
    """One call of a layer on definition-time tensors (the functional graph's edge)."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    @property
    def input_tensors(self):
        return [t for t in tree.flatten((self.args, self.kwargs)) if isinstance(t, KerasTensor)]


class Layer:
    def __init__(self, *, activity_regularizer=None, name=None, trainable=True, dtype=None, input_shape=None,
                 input_dim=None, **kwargs):
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        object.__setattr__(self, "_layers", [])
        self.name = name or unique_name(_snake(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._inbound_nodes = []
        from pykerascore import mixed_precision  # the global policy when the layer is created

        if isinstance(dtype, dict):  # a DTypePolicy config, as get_config writes it (Keras 3)
            dtype = (dtype.get("config") or {}).get("name")
        if isinstance(dtype, str) and dtype.startswith("mixed_"):
            self.dtype_policy = mixed_precision.DTypePolicy(dtype)
            self.dtype = self.dtype_policy.variable_dtype
        else:
            self.dtype = str(np.dtype(dtype)) if dtype else "float32"
            self.dtype_policy = mixed_precision.DTypePolicy(self.dtype) if dtype else mixed_precision.global_policy()
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self._input_shape_arg = tuple(input_shape) if input_shape is not None else None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # (graph, penalty): traced tensors keyed by the graph they belong to, or (None, value)
        # for concrete values from an eager call / add_loss on arrays.
        self._losses = []

    # ---------------------------------------------------------------- tracking
    def __setattr__(self, name, value):
        layers = self.__dict__.get("_layers")
        if layers is not None and name != "_layers":
            for v in tree.flatten(value) if isinstance(value, (list, tuple)) else [value]:
                if isinstance(v, Layer) and v is not self and not any(v is l for l in layers):
                    layers.append(v)
        object.__setattr__(self, name, value)

    def build(self, input_shape):
        self.built = True

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, regularizer=None, constraint=None,
                   name=None, **kwargs):
        shape = tuple(shape or ())
        init = initializers.get(initializer if initializer is not None else "glorot_uniform")
        var = Variable(init, shape=shape, dtype=dtype or self.dtype, trainable=trainable,
                       name=name or f"variable_{len(self._variables)}")
        var.path = f"{self.name}/{var.name}"
        # As Keras, the variable carries them: `losses` reads the regularizer, the trainer hands
        # the constraint to the native optimizer (constraints.attach).
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints.get(constraint)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(var)
        if trainable and not self._trainable:
            var.trainable = False
        return var

    # ---------------------------------------------------------------- weights
    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        # As in Keras 3: freezing a layer freezes the variables it created trainable.
        self._trainable = bool(value)
        for v in self._trainable_variables:
            v.trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def _variables(self):
        return self._trainable_variables + self._non_trainable_variables

    @property
    def weights(self):
        """Own variables (trainable, then non-trainable), then each sublayer's, deduplicated."""
        out, seen = [], set()
        for v in self._variables + [w for layer in self._layers for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_weights(self):
        return [v for v in self.weights if v.trainable] if self.trainable else []

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_weights(self):
        return self.weights if not self.trainable else [v for v in self.weights if not v.trainable]

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                f"{len(weights)}, but the layer was expecting {len(params)} weights."
            )
        for v, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(w.shape) != tuple(v.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {v.shape} is not compatible with provided weight shape {w.shape}."
                )
        for v, w in zip(params, weights):
            v.assign(w)

    def count_params(self):
        return int(sum(np.prod(v.shape) for v in self.weights))

    # ---------------------------------------------------------------- losses
    def _flatten_layers(self):
        """This layer and every sublayer, depth first, each once."""
        out, seen, stack = [], set(), [self]
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack[:0] = layer._layers
        return out

    def add_loss(self, loss):
        """Adds a scalar loss (Keras semantics): inside a traced call it joins that graph's
        total loss; on arrays it is kept as a value until the next eager call."""
        for x in tree.flatten(loss):
            if isinstance(x, KerasTensor):
                if x._graph is None:
                    raise ValueError("`add_loss()` can only be called from inside `build()` or `call()`, on a tensor "
                                     f"input. Received invalid value: {x}")
                # Entries of graphs already compiled are dropped: a graph is traced once.
                self._losses = [(g, t) for g, t in self._losses if g is x._graph] + [(x._graph, x)]
            else:
                self._losses.append((symbolic.current_graph(), np.asarray(x)))

    def _own_losses(self, graph):
        return [t for g, t in self._losses if g is graph]

    @property
    def losses(self):
        """Scalar losses of this layer and its sublayers (add_loss, activity regularization),
        then the penalties of the trainable weights that have a regularizer."""
        graph = symbolic.current_graph()
        out = [t for layer in self._flatten_layers() for t in layer._own_losses(graph)]
        for v in self.trainable_weights:
            if getattr(v, "regularizer", None) is not None:
                out.append(v.regularizer(v))
        return out

    def _trace_regularization_losses(self):
        """`losses` of the graph being traced: the terms the trainer adds to the compiled loss."""
        if symbolic.current_graph() is None:
            raise RuntimeError("_trace_regularization_losses() must be called while a graph is being traced")
        return self.losses

    def _record_activity_loss(self, outputs):
        # Keras: regularizer(output), divided by the batch size for non-scalar outputs, so the
        # penalty's weight does not change with the batch size.
        for out in tree.flatten(outputs):
            if not isinstance(out, KerasTensor):
                continue
            loss = self.activity_regularizer(out)
            if out.ndim > 0:
                loss = ops.divide(loss, symbolic.emit("batch_size", [out], name=self.name))
            self.add_loss(loss)

    # ---------------------------------------------------------------- calling
    def call(self, inputs, *args, **kwargs):
        return inputs

    def _call_accepts(self, arg):
        cache = type(self).__dict__.get("_call_args_cache")
        if cache is None:
            cache = set(inspect.signature(self.call).parameters)
            setattr(type(self), "_call_args_cache", cache)
        return arg in cache

    def _maybe_build(self, inputs):
        if self.built:
            return
        shapes = tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else None, inputs)
        self.build(shapes)
        self.built = True

    def _call_traced(self, inputs, args, kwargs):
        if "training" in kwargs and not self._call_accepts("training"):
            kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        self._maybe_build(inputs)
        outputs = self.call(inputs, *args, **kwargs)
        if self.activity_regularizer is not None:
            self._record_activity_loss(outputs)
        return outputs

    def __call__(self, inputs, *args, **kwargs):
        flat = [t for t in tree.flatten((inputs, args, kwargs)) if isinstance(t, KerasTensor)]
        if any(t._graph is None for t in flat):
            return self._call_functional(inputs, args, kwargs)
        if flat:
            return self._call_traced(inputs, args, kwargs)
        return self._call_eager(inputs, args, kwargs)

    def _call_functional(self, inputs, args, kwargs):
        graph = symbolic.new_graph()
        specs = {id(t): t for t in tree.flatten((inputs, args, kwargs)) if isinstance(t, KerasTensor)}

        def to_traced(x):
            return symbolic.placeholder(graph, x.shape, x.dtype, x.name or "input") if isinstance(x, KerasTensor) else x

        with symbolic.tracing(graph):
            t_inputs = tree.map_structure(to_traced, inputs)
            t_args = tree.map_structure(to_traced, list(args))
            t_kwargs = tree.map_structure(to_traced, dict(kwargs))
            outputs = self._call_traced(t_inputs, t_args, t_kwargs)
        del specs
        outs = tree.map_structure(lambda t: KerasTensor(t.shape, t.dtype, name=self.name), outputs)
        node = Node(self, (inputs,) + tuple(args), dict(kwargs), outs)
        self._inbound_nodes.append(node)
        for i, t in enumerate(tree.flatten(outs)):
            t._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outs

    def _call_eager(self, inputs, args, kwargs):
        def as_input(a):
            if a is None or isinstance(a, (bool, str)):
                return a
            a = np.asarray(a)
            return a.astype("float32") if a.dtype.kind == "f" or a.dtype == bool else a  # ints stay (e.g. indices)

        arrays = tree.map_structure(as_input, inputs)
        graph = symbolic.new_graph()
        feeds = {}

        def to_traced(a):
            kt = symbolic.placeholder(graph, a.shape, str(a.dtype), "input")
            feeds[kt._vid] = np.ascontiguousarray(a)
            return kt

        with symbolic.tracing(graph):
            t_inputs = tree.map_structure(to_traced, arrays)
            outputs = self._call_traced(t_inputs, list(args), dict(kwargs))
        layers = self._flatten_layers()
        pending = [(layer, t) for layer in layers for t in layer._own_losses(graph)]
        flat = tree.flatten(outputs)
        traced = [t for _, t in pending if isinstance(t, KerasTensor)]
        values = graph.evaluate(feeds, [t._vid for t in flat] + [t._vid for t in traced])
        # As Keras, an outermost call replaces the losses of the previous one.
        for layer in layers:
            layer._losses = []
        loss_values = iter(values[len(flat):])
        for layer, t in pending:
            layer._losses.append((None, next(loss_values) if isinstance(t, KerasTensor) else t))
        return tree.pack_sequence_as(outputs, values[:len(flat)])

    def compute_output_spec(self, *args, **kwargs):
        return self._call_functional(args[0], args[1:], kwargs)

    def get_config(self):
        # Keras 3 writes the dtype as a DTypePolicy config; __init__ takes it back.
        policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": self.dtype_policy.name},
                  "registered_name": None}
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": policy}
        if self.activity_regularizer is not None:
            cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "quantization_config" in config and config["quantization_config"] is None:
            del config["quantization_config"]  # Keras 3's key; no quantization here
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

