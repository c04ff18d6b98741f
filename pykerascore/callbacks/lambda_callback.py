# LambdaCallback (Keras 3 `keras.callbacks.LambdaCallback`): a callback built from plain
# functions, one per hook. Holds no logic of its own; must not import the backend.
from pykerascore.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    Each named argument replaces that hook: `on_epoch_begin` / `on_epoch_end` take
    `(epoch, logs)`, `on_train_begin` / `on_train_end` take `(logs)`, the batch hooks take
    `(batch, logs)`. Other keyword arguments are set as attributes, so any other hook
    (`on_test_begin=...`, `on_predict_batch_end=...`) can be given the same way.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        # Instance attributes shadow the base's no-op hooks (and carry no `_is_default`
        # mark, so the trainer knows a batch hook is really overridden).
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
