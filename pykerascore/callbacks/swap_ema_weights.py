# SwapEMAWeights (Keras 3 `keras.callbacks.SwapEMAWeights`): evaluates (and predicts) with the
# optimizer's EMA weights, then puts the trained weights back. Uses only the public
# `model.get_weights/set_weights` and `optimizer.finalize_variable_values`; must not import the backend.
from pykerascore.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps model weights and EMA weights before and after evaluation.

    Needs an optimizer with `use_ema=True`. Around `evaluate()` (and validation in `fit()`)
    and `predict()` the model holds the moving averages; afterwards its own weights come back.
    With `swap_on_epoch=True` the EMA weights are also in the model from each epoch's end to
    the next epoch's start, so epoch-end callbacks after this one (checkpoints) see them.

    Keras exchanges the model variables with the optimizer's average slots. Our optimizer
    exposes the averages only through `finalize_variable_values` (model <- averages), so a
    swap here keeps the model's own weights aside in Python and restores them with
    `set_weights`: the same values result, because nothing updates the averages while the
    EMA weights are in the model. Unlike Keras 3 (whose `on_predict_end` never swaps back),
    predict() also restores the weights.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False
        self._own_weights = None

    def _ema_optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(
                "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                f"Received: use_ema={getattr(optimizer, 'use_ema', None)}"
            )
        return optimizer

    def _swap_in(self):
        if self._ema_weights_in_model:
            return
        optimizer = self._ema_optimizer()
        self._own_weights = self.model.get_weights()
        optimizer.finalize_variable_values(self.model.trainable_weights)
        self._ema_weights_in_model = True

    def _swap_out(self):
        if not self._ema_weights_in_model:
            return
        self.model.set_weights(self._own_weights)
        self._own_weights = None
        self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        # After the last epoch the EMA weights simply stay: fit() ends by assigning the
        # averages to the model anyway.
        if self.swap_on_epoch:
            self._swap_in()

    def on_train_end(self, logs=None):
        # fit() has just assigned the averages to the model; as in Keras (where both sides of
        # the swap then hold the averages), a later swap back leaves them there.
        if self._ema_weights_in_model:
            self._own_weights = self.model.get_weights()

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        self._swap_out()
