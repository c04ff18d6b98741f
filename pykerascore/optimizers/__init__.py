"""Optimizers: classes and `get` by name."""

from pykerascore.optimizers.adam import Adam  # noqa: F401
from pykerascore.optimizers.optimizer import Optimizer  # noqa: F401
from pykerascore.optimizers.sgd import SGD  # noqa: F401

_BY_NAME = {"sgd": SGD, "adam": Adam}


def get(identifier):
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
