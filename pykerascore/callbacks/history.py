# History: the callback `fit()` returns; records each epoch's logs (Keras 3
# `keras.callbacks.History`). Sees only the logs dicts and sets `model.history`; must not
# import pykerascore.backend or anything native.
from pykerascore.callbacks.callback import Callback


class History(Callback):
    """Records the logs of every epoch.

    `history` maps each log name (`loss`, metric names, `val_`-prefixed validation
    results) to a list with one value per epoch; `epoch` lists the epoch indices of the
    latest `fit()`. A History reused across `fit()` calls keeps appending to `history`
    but restarts `epoch` (so with `initial_epoch=2` it holds `[2, 3, ...]`).
    """

    def __init__(self):
        super().__init__()
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        # Point the model at the History that saw the latest epoch.
        self.model.history = self
