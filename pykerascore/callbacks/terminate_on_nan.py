# TerminateOnNaN (Keras 3 `keras.callbacks.TerminateOnNaN`): stops fit() (or raises) when the
# logged loss is NaN or Inf. Sees only batch logs and `model.stop_training`; must not import
# the backend.
import numpy as np

from pykerascore.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN or Inf loss is encountered.

    Checked in `on_batch_end` (reached through `on_train_batch_end`), so it sees the running
    loss once per native call: with `steps_per_execution=1` and no per-batch callback the
    trainer runs an epoch per call, and a NaN loss stops training at that epoch's end. With
    `raise_error=True` a RuntimeError is raised instead, skipping `on_train_end`.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
