"""Reshape: (batch, ...) -> (batch, *target_shape) as a `reshape` view; one -1 in target_shape
is resolved from the known non-batch dims."""

import math

from pykerascore import ops
from pykerascore.layers.layer import Layer


def _validate_target_shape(target_shape):
    if isinstance(target_shape, int):
        target_shape = (target_shape,)
    try:
        target_shape = tuple(target_shape)
    except TypeError:
        raise ValueError(f"`target_shape` must be a tuple of integers. Received: target_shape={target_shape}") from None
    for d in target_shape:
        if isinstance(d, bool) or not isinstance(d, int) or (d <= 0 and d != -1):
            raise ValueError(
                "`target_shape` must contain positive integers and at most one -1. "
                f"Received: target_shape={target_shape}"
            )
    if target_shape.count(-1) > 1:
        raise ValueError(
            f"There must be at most one unknown dimension (-1) in target_shape. Received: target_shape={target_shape}"
        )
    return target_shape


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = _validate_target_shape(target_shape)
        self.built = True

    def _resolved(self, input_shape):
        rest = tuple(input_shape[1:])
        target = list(self.target_shape)
        known = math.prod(d for d in target if d != -1)
        if any(d is None for d in rest):
            if -1 in target:
                raise ValueError(
                    f"Layer '{self.name}' cannot resolve -1 in target_shape={self.target_shape} for input shape "
                    f"{tuple(input_shape)} with unknown dimensions"
                )
            return tuple(target)
        total = math.prod(rest)
        if -1 in target:
            if known == 0 or total % known:
                raise ValueError(
                    f"The total size of the tensor must be unchanged. Received: input_shape={tuple(input_shape)}, "
                    f"target_shape={self.target_shape}"
                )
            target[target.index(-1)] = total // known
        elif known != total:
            raise ValueError(
                f"The total size of the tensor must be unchanged. Received: input_shape={tuple(input_shape)}, "
                f"target_shape={self.target_shape}"
            )
        return tuple(target)

    def call(self, inputs):
        shape = tuple(inputs.shape)
        return ops.reshape(inputs, (shape[0],) + self._resolved(shape))

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"target_shape": self.target_shape})
        return cfg
