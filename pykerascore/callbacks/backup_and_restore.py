# BackupAndRestore (Keras 3 `keras.callbacks.BackupAndRestore`): backs the training state up to
# `backup_dir` (weights + optimizer state in `latest.weights.h5`, the epoch in
# `training_metadata.json`) and, when fit() starts again after an interruption, restores it and
# resumes at the saved epoch. Sees only the public Model API (plus Keras's `_initial_epoch`
# hand-over to fit); must not import pykerascore.backend.
import json
import os
import shutil
import tempfile

from pykerascore.callbacks.batch_counter import BatchCounter
from pykerascore.callbacks.callback import Callback


class BackupAndRestore(Callback):
    """Back up the training state every epoch (or every `save_freq` batches) and restore it at
    the start of the next fit() with the same `backup_dir`.

    The restored state is the model's weights, the optimizer's variables (its step count, so
    learning-rate schedules and dropout masks continue where they were) and the epoch to
    resume at; fit() then shuffles each remaining epoch as the uninterrupted run would have
    (with the same `utils.set_random_seed`). `double_checkpoint=True` keeps the previous
    backup as `*.bkp`, used when the latest cannot be read. `delete_checkpoint=True` removes
    `backup_dir` when fit() completes.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches = BatchCounter(save_freq)
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        if save_freq == "epoch":
            # Nothing to do per batch: keep the base's no-op hook, so fit() may still run whole
            # epochs in one native call.
            self.on_train_batch_end = Callback.on_train_batch_end.__get__(self)

    # ------------------------------------------------------------------ restore
    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except (OSError, ValueError):
            # The latest backup is unreadable (e.g. cut short): fall back to the previous one.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call `fit()`. "
                f"Model {self.model} is unbuilt. You can build it beforehand by calling it on a batch of data.")
        if os.path.exists(self._weights_path):
            optimizer = self.model.optimizer
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)  # so the optimizer state loads too
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                metadata = json.load(f)
            self._current_epoch = metadata["epoch"]
            self.model._initial_epoch = metadata["epoch"]  # fit() resumes here, as in Keras

    # ------------------------------------------------------------------ back up
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._batches.last_batch = None
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _should_save_on_batch(self, batch):
        """Counts batches since the last backup; `batch` is the last step of an execution, so
        several steps may pass between calls (steps_per_execution). `save_freq=False` never
        saves (it is meant for preemption checkpointing only)."""
        if self.save_freq == "epoch" or self.save_freq is False:
            return False
        return self._batches.due(batch)

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            shutil.copyfile(self._weights_path, self._prev_weights_path)
        if self.double_checkpoint and os.path.exists(self._training_metadata_path):
            shutil.copyfile(self._training_metadata_path, self._prev_training_metadata_path)
        self.model.save_weights(self._weights_path, overwrite=True)  # written atomically
        _write_json_atomically(self._training_metadata_path,
                               {"epoch": self._current_epoch, "batch": self._batches.last_batch or 0})

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _write_json_atomically(path, obj):
    """An interruption leaves the previous file whole: write a temp file, then rename it."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".metadata.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(obj))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
