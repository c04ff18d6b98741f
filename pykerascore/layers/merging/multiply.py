"""Multiply: the element-wise product of a list of inputs."""

from pykerascore import ops
from pykerascore.layers.merging.base_merge import Merge


class Multiply(Merge):
    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.multiply(out, x)
        return out


def multiply(inputs, **kwargs):
    """Functional form of the `Multiply` layer."""
    return Multiply(**kwargs)(inputs)
