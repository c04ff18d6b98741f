"""Activation layer: applies an activation (name, function or None) to its input.

Holds only the Keras-facing wrapper; the activation functions themselves live in
pykerascore.activations.
"""

from pykerascore import activations
from pykerascore.layers.layer import Layer


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"activation": activations.serialize(self.activation)})
        return cfg
