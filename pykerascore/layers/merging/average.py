"""Average: the element-wise mean of a list of inputs (sum, then divided by the count, as Keras)."""

from pykerascore import ops
from pykerascore.layers.merging.base_merge import Merge


class Average(Merge):
    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return ops.divide(out, len(inputs))


def average(inputs, **kwargs):
    """Functional form of the `Average` layer."""
    return Average(**kwargs)(inputs)
