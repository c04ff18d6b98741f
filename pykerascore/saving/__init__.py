"""Saving and loading: whole models (`save_model` / `load_model`: `.keras` archives and legacy
`.h5` files), weights only (`.weights.h5`, weights_h5), and the custom-object registry that
lets saved configs name user classes."""

from pykerascore.saving.saving_api import load_model, save_model
from pykerascore.saving.weights_h5 import load_weights, save_weights
from pykerascore.utils.serialization import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "CustomObjectScope", "custom_object_scope",
           "get_custom_objects", "get_registered_name", "get_registered_object", "register_keras_serializable"]
