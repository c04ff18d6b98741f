"""pykerascore: the Keras Model training API on a native C++/CUDA engine.

`import pykerascore as keras` -- the same script, the same numbers, much faster.
"""

__version__ = "0.1.0"

from pykerascore import (  # noqa: F401
    activations,
    callbacks,
    config,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    regularizers,
    saving,
    utils,
)
from pykerascore.layers import Input, Layer  # noqa: F401
from pykerascore.models import Model, Sequential  # noqa: F401
