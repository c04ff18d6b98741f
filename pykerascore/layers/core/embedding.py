"""Embedding: rows of an (input_dim, output_dim) table gathered by integer (or float) indices
through the native `embedding` op; its gradient scatter-adds into a dense table gradient.
An index outside [0, input_dim) raises ValueError naming the layer (at run time: it is data).
"""

import numpy as np

from pykerascore import initializers
from pykerascore.backend.symbolic import emit
from pykerascore.layers.layer import Layer
from pykerascore.utils import rng


class _KerasDefaultUniform(initializers.Initializer):
    """Keras's `"uniform"` initializer, RandomUniform(-0.05, 0.05), for as long as
    pykerascore.initializers does not resolve that name itself."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype="float32"):
        return rng.generator(self.seed).uniform(self.minval, self.maxval, size=shape).astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _get_initializer(identifier):
    try:
        return initializers.get(identifier)
    except ValueError:
        if isinstance(identifier, str) and identifier.lower() in ("uniform", "random_uniform"):
            return _KerasDefaultUniform()
        raise


class Embedding(Layer):
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None, **kwargs):
        for what, v in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"`{what}` must be a positive integer. Received: {what}={v} (of type {type(v).__name__}).")
        if kwargs.pop("input_length", None) is not None:
            import warnings

            warnings.warn("Argument `input_length` is deprecated. Just remove it.")
        for what, v in (("embeddings_regularizer", embeddings_regularizer),
                        ("embeddings_constraint", embeddings_constraint), ("lora_rank", lora_rank)):
            if v is not None:
                raise ValueError(f"Embedding({what}=...) is not supported by pykerascore yet")
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = _get_initializer(embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        self.lora_alpha = lora_alpha
        self._embeddings = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built and self._embeddings is not None:
            return
        self._embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                           initializer=self.embeddings_initializer, name="embeddings")
        self.built = True

    @property
    def embeddings(self):
        if self._embeddings is None:
            raise AttributeError("You must build the layer before accessing `embeddings`.")
        return self._embeddings

    def call(self, inputs):
        return emit("embedding", [inputs, self._embeddings], name=self.name)

    def get_config(self):
        cfg = super().get_config()
        init = self.embeddings_initializer
        init_cfg = (initializers.serialize(init) if hasattr(initializers, "serialize")
                    else {"module": "keras.initializers", "class_name": "RandomUniform" if isinstance(init, _KerasDefaultUniform)
                          else type(init).__name__, "config": init.get_config(), "registered_name": None})
        cfg.update({"input_dim": self.input_dim, "output_dim": self.output_dim, "embeddings_initializer": init_cfg,
                    "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
                    "mask_zero": self.mask_zero})
        return cfg
