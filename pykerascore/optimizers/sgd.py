"""SGD with optional (Nesterov) momentum, Keras 3 defaults."""

from pykerascore.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    _native_name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD"):
        if not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        super().__init__(learning_rate, name, momentum=momentum, nesterov=bool(nesterov))
