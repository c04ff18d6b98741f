"""Concatenate: joins a list of inputs along `axis`; every other dim must match (None matches
anything). The shape check runs at build time so a functional model fails where it is defined."""

from pykerascore import ops
from pykerascore.layers.layer import Layer
from pykerascore.layers.merging.base_merge import check_input_list


class Concatenate(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"`axis` must be an integer. Received: axis={axis}")
        self.axis = axis

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                f"A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape={input_shape}"
            )
        shapes = [tuple(s) for s in input_shape]
        err = (
            "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
            f"Received: input_shape={shapes}"
        )
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(err)
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(f"Invalid axis {self.axis} for inputs of rank {rank} in layer '{self.name}'")
        axis = self.axis % rank
        for d in range(rank):
            if d == axis:
                continue
            known = {s[d] for s in shapes if s[d] is not None}
            if len(known) > 1:
                raise ValueError(err)
        self.built = True

    def call(self, inputs):
        check_input_list(self, inputs)
        return ops.concatenate(list(inputs), axis=self.axis)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"axis": self.axis})
        return cfg


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of the `Concatenate` layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)
