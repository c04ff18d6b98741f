"""Optimizer base: hyperparameters in Python, state and update rule in the native engine (one
fused pass over the model's flat parameter buffer)."""

from pykerascore.backend import core


class Optimizer:
    _native_name = None

    def __init__(self, learning_rate, name, **config):
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
            raise ValueError(f"Argument `learning_rate` should be a float. Received: learning_rate={learning_rate}")
        self.name = name
        self._config = dict(config)
        self._native = core.Optimizer(self._native_name, {"learning_rate": float(learning_rate), **{k: float(v) for k, v in config.items()}})

    @property
    def learning_rate(self):
        return self._native.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._native.learning_rate = float(value)

    @property
    def iterations(self):
        return self._native.iterations

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate, **self._config}
