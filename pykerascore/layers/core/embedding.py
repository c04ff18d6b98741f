"""Embedding: rows of an (input_dim, output_dim) table gathered by integer (or float) indices
through the native `embedding` op; its gradient scatter-adds into a dense table gradient.
An index outside [0, input_dim) raises ValueError naming the layer (at run time: it is data).
"""

import numpy as np

from pykerascore import constraints, initializers, regularizers
from pykerascore.backend.symbolic import emit
from pykerascore.layers.layer import Layer


class Embedding(Layer):
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 activity_regularizer=None, **kwargs):
        for what, v in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"`{what}` must be a positive integer. Received: {what}={v} (of type {type(v).__name__}).")
        if kwargs.pop("input_length", None) is not None:
            import warnings

            warnings.warn("Argument `input_length` is deprecated. Just remove it.")
        if lora_rank is not None:
            raise ValueError("Embedding(lora_rank=...) is not supported by pykerascore yet")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
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
                                           initializer=self.embeddings_initializer, name="embeddings",
                                           regularizer=self.embeddings_regularizer,
                                           constraint=self.embeddings_constraint)
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
        cfg.update({"input_dim": self.input_dim, "output_dim": self.output_dim,
                    "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                    "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                    "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                    "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                    "mask_zero": self.mask_zero, "quantization_config": None})
        return cfg
