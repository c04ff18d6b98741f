"""Functional models: the graph of layer calls between `inputs` and `outputs`, replayed on
new tensors when the model is traced or called."""

from pykerascore.backend.symbolic import KerasTensor
from pykerascore.layers.core.input_layer import InputLayer
from pykerascore.models.model import Model
from pykerascore.utils import tree


class Functional(Model):
    def __init__(self, inputs, outputs, name=None, trainable=True):
        Model.__init__(self, name=name, trainable=trainable)
        for t in tree.flatten(inputs):
            if not isinstance(t, KerasTensor) or t._keras_history is None or not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(f"All `inputs` values must be KerasTensors created by `keras.Input()`. Received: {t}")
        for t in tree.flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise ValueError(f"All `outputs` values must be KerasTensors. Received: {t}")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._nodes = self._collect_nodes()
        layers = []
        for node in self._nodes:
            if not any(node.layer is l for l in layers):
                layers.append(node.layer)
        self._layers = layers
        self.built = True

    def _collect_nodes(self):
        input_ids = {id(t) for t in tree.flatten(self._inputs_struct)}
        order, seen = [], set()

        def visit(t):
            if t._keras_history is None:
                raise ValueError(f"Tensor {t} was not produced by a layer; cannot build the model graph")
            layer, node_index, _ = t._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in seen:
                return
            seen.add(id(node))
            if id(t) not in input_ids:
                if isinstance(layer, InputLayer):
                    raise ValueError(f"Graph disconnected: cannot reach output from input {t}, which is not in `inputs`")
                for parent in node.input_tensors:
                    visit(parent)
            order.append(node)

        for t in tree.flatten(self._outputs_struct):
            visit(t)
        # Input layers first, in the order of `inputs`.
        ins = [t._keras_history[0]._inbound_nodes[0] for t in tree.flatten(self._inputs_struct)]
        rest = [n for n in order if not isinstance(n.layer, InputLayer)]
        return ins + rest

    @property
    def inputs(self):
        return tree.flatten(self._inputs_struct)  # always a list, as in Keras

    @property
    def input_spec(self):
        """InputSpec per input (shape without a fixed batch size), in the inputs' structure."""
        from pykerascore.layers.input_spec import InputSpec

        def spec(t):
            return InputSpec(shape=(None,) + tuple(t.shape[1:]), dtype=t.dtype, allow_last_axis_squeeze=True,
                             name=t._keras_history[0].name)

        return tree.map_structure(spec, self._inputs_struct)

    @property
    def outputs(self):
        return self._outputs_struct if isinstance(self._outputs_struct, (list, tuple)) else [self._outputs_struct]

    @property
    def input_names(self):
        return [t._keras_history[0].name for t in tree.flatten(self._inputs_struct)]

    @property
    def output_names(self):
        return [t._keras_history[0].name for t in tree.flatten(self._outputs_struct)]

    def get_config(self):
        from pykerascore.models import model_config

        return model_config.functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from pykerascore.models import model_config

        return model_config.functional_from_config(cls, config, custom_objects)

    def call(self, inputs, training=None):
        flat_in = _match_inputs(self._inputs_struct, inputs)
        values = {id(k): v for k, v in zip(tree.flatten(self._inputs_struct), flat_in)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = tree.map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, list(node.args))
            kwargs = tree.map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, dict(node.kwargs))
            if training is not None:
                kwargs["training"] = training
            out = node.layer._call_traced(args[0], args[1:], kwargs)
            for k, v in zip(tree.flatten(node.outputs), tree.flatten(out)):
                values[id(k)] = v
        return tree.map_structure(lambda t: values[id(t)], self._outputs_struct)


def _match_inputs(struct, inputs):
    """Inputs in the order of the model's flat input list (dicts matched by input name)."""
    flat_spec = tree.flatten(struct)
    if isinstance(inputs, dict):
        names = [t._keras_history[0].name for t in flat_spec]
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError(f"Missing data for input(s) {missing}. Expected keys: {names}, received: {list(inputs)}")
        return [inputs[n] for n in names]
    flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(flat) != len(flat_spec):
        raise ValueError(f"Model expects {len(flat_spec)} input(s), but it received {len(flat)} input tensors.")
    return flat
