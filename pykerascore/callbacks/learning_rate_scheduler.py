# LearningRateScheduler (Keras 3 `keras.callbacks.LearningRateScheduler`): sets the optimizer's
# learning rate from `schedule(epoch, lr)` before each epoch and logs it at the epoch's end.
# Sees only `model.optimizer.learning_rate` (a settable float); must not import the backend.
import numpy as np

from pykerascore.callbacks.callback import Callback


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the start of every epoch calls `schedule(epoch, lr)` (or `schedule(epoch)` when the
    two-argument call raises TypeError) with the 0-based epoch and the current learning rate,
    and sets the optimizer's learning rate to the returned float. Epoch-end logs get
    `learning_rate`.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # one-argument schedules (the old API)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        optimizer.learning_rate = lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
