"""OpLayer: an op applied to functional-API (definition-time) tensors, recorded as a node.

`keras.Input(...) + 1`, `ops.concatenate([a, b])` and friends on definition-time tensors become
an OpLayer call, so the functional graph can replay them like any layer. Created by
backend.symbolic.emit(); users never construct it.
"""

from pykerascore.backend.symbolic import KerasTensor, emit
from pykerascore.layers.layer import Layer


class OpLayer(Layer):
    def __init__(self, op, inputs, attrs=None, op_name="", num_outputs=1):
        super().__init__(name=None)
        self.op = op
        self.attrs = dict(attrs or {})
        self.op_name = op_name
        self.num_outputs = num_outputs
        # Positions of the tensor inputs; everything else is a constant kept here.
        self._template = [None if isinstance(x, KerasTensor) else x for x in inputs]
        self.built = True

    def call(self, tensors):
        it = iter(tensors)
        args = [next(it) if t is None else t for t in self._template]
        return emit(self.op, args, self.attrs, self.op_name, self.num_outputs)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"op": self.op, "attrs": self.attrs})
        return cfg
