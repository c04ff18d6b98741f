"""Layers (Keras names)."""

from pykerascore.layers.core.activation import Activation  # noqa: F401
from pykerascore.layers.core.dense import Dense  # noqa: F401
from pykerascore.layers.core.embedding import Embedding  # noqa: F401
from pykerascore.layers.core.input_layer import Input, InputLayer  # noqa: F401
from pykerascore.layers.core.lambda_layer import Lambda  # noqa: F401
from pykerascore.layers.layer import Layer  # noqa: F401
from pykerascore.layers.merging.add import Add, add  # noqa: F401
from pykerascore.layers.merging.average import Average, average  # noqa: F401
from pykerascore.layers.merging.concatenate import Concatenate, concatenate  # noqa: F401
from pykerascore.layers.merging.maximum import Maximum, maximum  # noqa: F401
from pykerascore.layers.merging.minimum import Minimum, minimum  # noqa: F401
from pykerascore.layers.merging.multiply import Multiply, multiply  # noqa: F401
from pykerascore.layers.merging.subtract import Subtract, subtract  # noqa: F401
from pykerascore.layers.normalization.batch_normalization import BatchNormalization  # noqa: F401
from pykerascore.layers.normalization.layer_normalization import LayerNormalization  # noqa: F401
from pykerascore.layers.regularization.dropout import Dropout  # noqa: F401
from pykerascore.layers.reshaping.flatten import Flatten  # noqa: F401
from pykerascore.layers.reshaping.reshape import Reshape  # noqa: F401
