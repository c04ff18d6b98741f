"""Utilities: Progbar, seeding, to_categorical, plot_history, the custom-object registry."""

import numpy as np

from pykerascore.utils.progbar import Progbar  # noqa: F401
from pykerascore.utils.py_dataset import PyDataset, Sequence  # noqa: F401
from pykerascore.utils.plot_history import plot_history  # noqa: F401
from pykerascore.utils.rng import set_random_seed  # noqa: F401
from pykerascore.utils.serialization import (  # noqa: F401
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)


def to_categorical(x, num_classes=None):
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1.0
    return out.reshape(shape + (num_classes,))
