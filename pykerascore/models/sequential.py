"""Sequential: a stack of layers. Once the input shape is known (an Input layer, an
`input_shape` argument, or the first data) it is built as a Functional graph."""

from pykerascore.backend.symbolic import KerasTensor
from pykerascore.layers.core.input_layer import Input, InputLayer
from pykerascore.layers.layer import Layer
from pykerascore.models.functional import Functional
from pykerascore.models.model import Model


class Sequential(Model):
    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, name=name, trainable=trainable)
        self._stack = []
        object.__setattr__(self, "_input_layer", None)
        object.__setattr__(self, "_functional", None)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        if isinstance(layer, KerasTensor) and layer._keras_history and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError("An InputLayer can only be added first to a Sequential model.")
            object.__setattr__(self, "_input_layer", layer)
        elif isinstance(layer, Layer):
            if any(layer is l for l in self._stack):
                raise ValueError(f"Layer {layer.name} is already in the model.")
            if not self._stack and self._input_layer is None and layer._input_shape_arg is not None:
                object.__setattr__(self, "_input_layer", Input(shape=layer._input_shape_arg)._keras_history[0])
            self._stack.append(layer)
        else:
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer!r}")
        self._layers = list(self._stack)
        self.built = False
        object.__setattr__(self, "_functional", None)
        self._invalidate_programs()
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._layers = list(self._stack)
        self._invalidate_programs()
        self._functional = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        if self._input_layer is not None and self._stack:
            self._build_functional(self._input_layer.output)

    def _build_functional(self, input_tensor):
        x = input_tensor
        for layer in self._stack:
            x = layer(x)
        object.__setattr__(self, "_functional", Functional(input_tensor, x, name=self.name + "_functional"))
        self.built = True

    def build(self, input_shape=None):
        if self._functional is not None:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build a Sequential model.")
        if not self._stack:
            raise ValueError("Sequential model must have at least one layer to build.")
        shape = tuple(input_shape)
        object.__setattr__(self, "_input_layer", InputLayer(batch_shape=(None,) + shape[1:], dtype="float32"))
        self._build_functional(self._input_layer.output)

    @property
    def layers(self):
        return list(self._stack)

    @property
    def inputs(self):
        return self._functional.inputs if self._functional else None

    @property
    def outputs(self):
        return self._functional.outputs if self._functional else None

    @property
    def input_spec(self):
        return self._functional.input_spec if self._functional else None

    @property
    def input_names(self):
        return self._functional.input_names if self._functional else ["input"]

    @property
    def output_names(self):
        return [self._stack[-1].name] if self._stack else []

    def get_config(self):
        from pykerascore.models import model_config

        return model_config.sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from pykerascore.models import model_config

        return model_config.sequential_from_config(cls, config, custom_objects)

    def call(self, inputs, training=None):
        if self._functional is not None:
            return self._functional.call(inputs, training=training)
        x = inputs
        for layer in self._stack:
            kwargs = {"training": training} if training is not None else {}
            x = layer._call_traced(x, [], kwargs)
        return x
