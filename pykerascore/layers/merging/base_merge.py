"""Merge: the base of the element-wise merging layers (Add, Subtract, Multiply, Average,
Maximum, Minimum). Checks the list of input shapes once at build time (Keras's broadcasting
rule over the non-batch dims) and expands lower-rank inputs at axis 1 before merging.
Subclasses only define `_merge_function`; no shape logic lives in them.
"""

from pykerascore import ops
from pykerascore.layers.layer import Layer


def elementwise_shape(shape1, shape2):
    """Keras's output shape of an element-wise op on two non-batch shapes (None = unknown)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return elementwise_shape(shape2, shape1)
    if not shape2:
        return tuple(shape1)
    out = list(shape1[: len(shape1) - len(shape2)])
    for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {tuple(shape1)} and {tuple(shape2)}")
    return tuple(out)


def check_input_list(layer, inputs):
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"A merge layer should be called on a list of inputs. Received: inputs={inputs} (not a list of tensors)"
        )


class Merge(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reshape_required = False

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes. Received tensors with shapes {list(input_shape)}")
        out = tuple(input_shape[0][1:])
        for s in input_shape[1:]:
            out = elementwise_shape(out, tuple(s[1:]))
        self._reshape_required = len({len(s) for s in input_shape}) != 1
        self.built = True

    def call(self, inputs):
        check_input_list(self, inputs)
        inputs = list(inputs)
        if self._reshape_required:
            rank = max(len(x.shape) for x in inputs)
            expanded = []
            for x in inputs:
                for _ in range(rank - len(x.shape)):
                    x = ops.expand_dims(x, 1)
                expanded.append(x)
            inputs = expanded
        return self._merge_function(inputs)

    def _merge_function(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define _merge_function")
