"""InputLayer and Input(): the start of a functional graph."""

from pykerascore.backend.symbolic import KerasTensor
from pykerascore.layers.layer import Layer, Node


class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
                 input_tensor=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("Sparse inputs are not supported by pykerascore")
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input (or `batch_shape`).")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(batch_shape)
        self.built = True
        tensor = KerasTensor(self.batch_shape, self.dtype, name=self.name)
        node = Node(self, (), {}, tensor)
        self._inbound_nodes.append(node)
        tensor._keras_history = (self, 0, 0)
        self.output = tensor

    def get_config(self):
        # Keras 3's keys; sparse, ragged and optional inputs are not supported here, so always False.
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "sparse": False, "ragged": False,
                "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("ragged", "optional"):
            if config.get(key):
                raise ValueError(f"InputLayer '{config.get('name')}': {key}=True inputs are not supported by "
                                 "pykerascore")
            config.pop(key, None)
        return super().from_config(config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None):
    """A symbolic input of `shape` (without the batch dim), to start a functional model."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                      name=name).output
