# ProgbarLogger: prints `fit()`/`evaluate()`/`predict()` progress through `Progbar`
# (Keras 3 `keras.callbacks.ProgbarLogger`). Reads only `params` and logs dicts; must not
# import pykerascore.backend or anything native.
from pykerascore.callbacks.callback import Callback
from pykerascore.utils.progbar import Progbar
from pykerascore.utils.progbar import print_msg


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    Reads `params["verbose"]` (1: live bar, 2: one line per epoch; the trainer resolves
    `"auto"` before passing it, and a stray `"auto"` here means 1), `params["epochs"]`
    and `params["steps"]` (steps per epoch, or None when unknown). Logs already hold
    running averages, so they are displayed as given, sorted by name as Keras shows them.
    Inside `fit()`, validation is silent.
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predictions are not metrics

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            # Empty `stateless_metrics`: every logged value is shown as-is.
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                unit_name="step",
                stateless_metrics=set(),
            )

    def _update_progbar(self, batch, logs=None):
        self._maybe_init_progbar()
        # `batch` is the last batch run (every N-th with steps_per_execution=N), so
        # `batch + 1` batches are done.
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, _display_items(logs), finalize=False)

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            # Steps were unknown: the epoch's length is what was seen.
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, _display_items(logs), finalize=True)


def _display_items(logs):
    # Keras hands callbacks logs sorted by name, so its bar lists them that way.
    return sorted((logs or {}).items())
