"""Model: a Layer with the training API (Trainer). `Model(inputs, outputs)` builds a
Functional model; subclasses define `call(inputs, training=False)`."""

import inspect

from pykerascore.layers.layer import Layer
from pykerascore.trainers.trainer import Trainer


class Model(Trainer, Layer):
    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from pykerascore.models.functional import Functional

            return Functional.__new__(Functional)
        instance = super().__new__(cls)
        # As Keras 3: a subclass built from plain values (numbers, strings, lists of them) gets
        # a config without writing get_config.
        from pykerascore.models import model_config

        object.__setattr__(instance, "_auto_config", model_config.auto_config(cls, args, kwargs))
        return instance

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        if isinstance(dtype, dict):  # a DTypePolicy config, as Keras writes it
            dtype = (dtype.get("config") or {}).get("name")
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)
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

    # ---------------------------------------------------------------- saving
    def compile(self, *args, **kwargs):
        Trainer.compile(self, *args, **kwargs)
        # The arguments as given (the config is written at save time, so a learning rate
        # changed since compile is saved as it is then).
        from pykerascore.models import model_config

        self._compile_args = model_config.compile_arguments(Trainer.compile, self, args, kwargs)

    compile.__doc__ = Trainer.compile.__doc__
    compile.__signature__ = inspect.signature(Trainer.compile)

    def get_compile_config(self):
        """The compile() arguments in Keras 3's form (None when the model is not compiled)."""
        from pykerascore.models import model_config

        return model_config.compile_config(self) if self.compiled else None

    def compile_from_config(self, config):
        """Compiles the model as `get_compile_config()` describes (custom objects from the scope)."""
        from pykerascore.models import model_config

        self.compile(**model_config.compile_kwargs_from_config(config))

    def get_build_config(self):
        shape = getattr(self, "_build_input_shape", None)
        return {"input_shape": model_config_shape(shape)} if shape is not None else None

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None and not self.built:
            self.build(config["input_shape"])

    def get_config(self):
        """Subclassed models: the base config (name, trainable, dtype) plus, when the class does
        not define get_config, the plain-valued __init__ arguments (Keras 3's auto config)."""
        from pykerascore.models import model_config

        return model_config.subclass_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from pykerascore.models import model_config

        return model_config.model_from_config(cls, config, custom_objects)

    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        """Saves architecture, weights, compile settings and optimizer state: a `.keras` archive
        (Keras 3's format) or a legacy `.h5` file, chosen by the file name."""
        from pykerascore import saving

        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                          save_format=save_format, **kwargs)

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
        object.__setattr__(self, "_build_input_shape", shapes)


def model_config_shape(shape):
    """A build shape as JSON lists (Keras writes tuples as lists)."""
    if isinstance(shape, (list, tuple)):
        return [model_config_shape(s) for s in shape]
    return shape


def _shape_structure(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)
