"""Add: the element-wise sum of a list of inputs."""

from pykerascore import ops
from pykerascore.layers.merging.base_merge import Merge


class Add(Merge):
    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out


def add(inputs, **kwargs):
    """Functional form of the `Add` layer."""
    return Add(**kwargs)(inputs)
