"""Saving and loading model state: `.weights.h5` files in Keras 3's layout (weights_h5)."""

from pykerascore.saving.weights_h5 import load_weights, save_weights

__all__ = ["save_weights", "load_weights"]
