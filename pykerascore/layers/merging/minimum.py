"""Minimum: the element-wise minimum of a list of inputs."""

from pykerascore import ops
from pykerascore.layers.merging.base_merge import Merge


class Minimum(Merge):
    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


def minimum(inputs, **kwargs):
    """Functional form of the `Minimum` layer."""
    return Minimum(**kwargs)(inputs)
