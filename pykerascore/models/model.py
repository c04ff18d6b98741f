"""Model: a Layer with the training API (Trainer). `Model(inputs, outputs)` builds a
Functional model; subclasses define `call(inputs, training=False)`."""

from pykerascore.layers.layer import Layer
from pykerascore.trainers.trainer import Trainer


class Model(Trainer, Layer):
    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from pykerascore.models.functional import Functional

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        Layer.__init__(self, name=name, trainable=trainable)
        Trainer.__init__(self)
        if args or kwargs:
            raise TypeError(f"Unrecognized arguments for Model: {args} {kwargs}")

    @property
    def layers(self):
        return list(self._layers)

    def reset_states(self):
        """Resets the state of every stateful layer (those defining `reset_states`), as Keras 2's
        `Model.reset_states`; the built-in layers of this version hold no such state."""
        for layer in self.layers:
            if layer is not self and callable(getattr(layer, "reset_states", None)):
                layer.reset_states()

    def save_weights(self, filepath, overwrite=True):
        """Writes every layer's variables to a `.weights.h5` file in Keras 3's layout."""
        from pykerascore import saving

        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        """Reads a `.weights.h5` file (ours or real Keras 3's) into the model's variables."""
        from pykerascore import saving

        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    @property
    def input_spec(self):
        """Subclassed models declare no input spec (Functional and Sequential describe theirs)."""
        return None

    def get_layer(self, name=None, index=None):
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints Keras 3's table of the layers (or hands it to `print_fn`)."""
        from pykerascore.utils import summary_utils

        summary_utils.print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                                    expand_nested=expand_nested, show_trainable=show_trainable,
                                    layer_range=layer_range)

    def to_json(self, **kwargs):
        """The architecture as Keras 3 JSON (`json.dumps` keyword arguments pass through)."""
        from pykerascore.models import model_config

        return model_config.model_to_json(self, **kwargs)

    def build(self, input_shape):
        """Builds a subclassed model by tracing `call` once on symbolic inputs of `input_shape`."""
        from pykerascore.backend import symbolic

        graph = symbolic.new_graph()
        shapes = _shape_structure(input_shape)
        with symbolic.tracing(graph):
            if isinstance(shapes, list):
                inputs = [symbolic.placeholder(graph, s, "float32") for s in shapes]
            else:
                inputs = symbolic.placeholder(graph, shapes, "float32")
            self.call(inputs)
        self.built = True


def _shape_structure(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)
