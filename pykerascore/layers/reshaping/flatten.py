"""Flatten: (batch, d1, d2, ...) -> (batch, d1*d2*...) as a `reshape` view (no copy); channels_first
inputs are first transposed to channels_last, as Keras does."""

import math

from pykerascore import ops
from pykerascore.layers.layer import Layer


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = "channels_last" if data_format is None else str(data_format).lower()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                'The `data_format` argument must be one of {"channels_first", "channels_last"}. '
                f"Received: data_format={data_format}"
            )
        self.data_format = data_format
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        if len(shape) < 1:
            raise ValueError(f"Layer '{self.name}' expects an input of rank >= 1, got shape {shape}")
        rest = shape[1:]
        if self.data_format == "channels_first" and len(shape) > 2:
            # Keras moves the channels last before flattening, so the element order matches.
            inputs = ops.transpose(inputs, (0, *range(2, len(shape)), 1))
            rest = rest[1:] + rest[:1]
        if any(d is None for d in rest):
            if shape[0] is None:
                raise ValueError(
                    f"Layer '{self.name}' cannot flatten {shape}: both the batch and a feature dimension are unknown"
                )
            return ops.reshape(inputs, (shape[0], -1))
        return ops.reshape(inputs, (shape[0], math.prod(rest) if rest else 1))

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"data_format": self.data_format})
        return cfg
