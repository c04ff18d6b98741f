"""Losses: classes, functions, and `get` by name."""

from pykerascore.losses.loss import Loss, LossFunctionWrapper  # noqa: F401
from pykerascore.losses.losses import (  # noqa: F401
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
)

_BY_NAME = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier):
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
