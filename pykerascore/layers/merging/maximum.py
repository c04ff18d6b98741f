"""Maximum: the element-wise maximum of a list of inputs."""

from pykerascore import ops
from pykerascore.layers.merging.base_merge import Merge


class Maximum(Merge):
    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


def maximum(inputs, **kwargs):
    """Functional form of the `Maximum` layer."""
    return Maximum(**kwargs)(inputs)
