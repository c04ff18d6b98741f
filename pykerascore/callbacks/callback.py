# Callback: the base class of `keras.callbacks.Callback`; every hook is an empty method.
# Callbacks see only the public Model API (`self.model`) and plain logs dicts; this package
# must not import pykerascore.backend or anything native.


def default(method):
    """Marks a hook as the base's no-op, so a caller can tell an override apart.

    `getattr(callback.on_train_batch_end, "_is_default", False)` is True unless a subclass
    overrides the hook (Keras's `utils.is_default` test); a trainer may use it to skip
    per-batch callbacks.
    """
    method._is_default = True
    return method


class Callback:
    """Base class used to build new callbacks.

    Subclass it and override the hooks of interest. `fit()`, `evaluate()` and `predict()`
    call the hooks through a `CallbackList`; `self.model` is the model being run and
    `self.params` a dict such as `{"verbose": 1, "epochs": 10, "steps": 32}`.

    Batch hooks get the index of the batch within the epoch. With
    `compile(steps_per_execution=N)` they run only every N batches, with the index of
    the last batch run. `logs` holds running metric results (`{"loss": 0.2, ...}`);
    epoch-end logs also hold validation results, prefixed `val_`.
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    @default
    def on_batch_begin(self, batch, logs=None):
        """Backwards-compatible alias of `on_train_batch_begin`."""

    @default
    def on_batch_end(self, batch, logs=None):
        """Backwards-compatible alias of `on_train_batch_end`."""

    @default
    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch `epoch` (0-based) of `fit()`."""

    @default
    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch of `fit()` with its train and `val_` results."""

    @default
    def on_train_batch_begin(self, batch, logs=None):
        """Called before a training batch; by default forwards to `on_batch_begin`."""
        self.on_batch_begin(batch, logs=logs)

    @default
    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch; by default forwards to `on_batch_end`."""
        self.on_batch_end(batch, logs=logs)

    @default
    def on_test_batch_begin(self, batch, logs=None):
        """Called before a batch of `evaluate()` or of validation in `fit()`."""

    @default
    def on_test_batch_end(self, batch, logs=None):
        """Called after a batch of `evaluate()` or of validation in `fit()`."""

    @default
    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a batch of `predict()`."""

    @default
    def on_predict_batch_end(self, batch, logs=None):
        """Called after a batch of `predict()`."""

    @default
    def on_train_begin(self, logs=None):
        """Called at the start of `fit()`."""

    @default
    def on_train_end(self, logs=None):
        """Called at the end of `fit()` with the last epoch's logs."""

    @default
    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate()` or of a validation run."""

    @default
    def on_test_end(self, logs=None):
        """Called at the end of `evaluate()` or of a validation run with its results."""

    @default
    def on_predict_begin(self, logs=None):
        """Called at the start of `predict()`."""

    @default
    def on_predict_end(self, logs=None):
        """Called at the end of `predict()`."""
