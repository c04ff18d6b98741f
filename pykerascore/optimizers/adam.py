"""Adam, Keras 3 defaults (lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7)."""

from pykerascore.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    _native_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name="adam"):
        if amsgrad:
            raise ValueError("Adam(amsgrad=True) is not supported yet")
        super().__init__(learning_rate, name, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
