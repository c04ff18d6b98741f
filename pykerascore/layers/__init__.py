"""Layers (Keras names)."""

from pykerascore.layers.core.dense import Dense  # noqa: F401
from pykerascore.layers.core.input_layer import Input, InputLayer  # noqa: F401
from pykerascore.layers.layer import Layer  # noqa: F401
