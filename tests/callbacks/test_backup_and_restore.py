# Tests for BackupAndRestore: arguments, what it writes and when (epoch / N batches, double
# checkpoint, deletion), what it restores (weights, optimizer state, epoch), and a run SIGKILLed
# mid-fit and restarted that ends bit-identical to an uninterrupted one (Dropout, shuffle,
# learning-rate schedule).
import json
import os

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import BackupAndRestore, Callback

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model():
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return m


class _Interrupt(Callback):
    """Raises at the start of epoch `epoch` (or after batch `batch` of it), as a crash would."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch = epoch, batch

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch
        if epoch == self.epoch and self.batch is None:
            raise RuntimeError("Interrupting!")

    def on_train_batch_end(self, batch, logs=None):
        if self.batch is not None and self.current == self.epoch and batch == self.batch:
            raise RuntimeError("Interrupting!")


def _interrupted(backup, model=None, epoch=2, batch=None, epochs=5):
    model = model or _model()
    with pytest.raises(RuntimeError, match="Interrupting"):
        model.fit(X, Y, epochs=epochs, batch_size=8, verbose=0, callbacks=[backup, _Interrupt(epoch, batch)])
    return model


def _metadata(folder):
    with open(os.path.join(folder, "training_metadata.json")) as f:
        return json.load(f)


# ---------------------------------------------------------------------- arguments
def test_empty_backup_dir():
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        BackupAndRestore("")


def test_bad_save_freq(tmp_path):
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        BackupAndRestore(str(tmp_path), save_freq="batch")


# ---------------------------------------------------------------------- backing up
def test_backs_up_weights_and_epoch_after_each_epoch(tmp_path):
    folder = str(tmp_path / "b")
    _interrupted(BackupAndRestore(folder), epoch=2)
    assert sorted(os.listdir(folder)) == ["latest.weights.h5", "training_metadata.json"]
    assert _metadata(folder) == {"epoch": 2, "batch": 0}


def test_backup_holds_the_optimizer_state(tmp_path):
    folder = str(tmp_path / "b")
    model = _interrupted(BackupAndRestore(folder), epoch=2)
    other = _model()
    other.load_weights(os.path.join(folder, "latest.weights.h5"))
    assert int(other.optimizer.iterations) == int(model.optimizer.iterations) == 8
    for a, b in zip(other.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_save_freq_in_batches(tmp_path):
    folder = str(tmp_path / "b")
    _interrupted(BackupAndRestore(folder, save_freq=3), epoch=0, batch=3)
    assert _metadata(folder) == {"epoch": 0, "batch": 2}  # saved after the third batch


def test_delete_checkpoint_removes_the_folder_after_fit(tmp_path):
    folder = tmp_path / "b"
    _model().fit(X, Y, epochs=2, verbose=0, callbacks=[BackupAndRestore(str(folder))])
    assert not folder.exists()


def test_delete_checkpoint_false_keeps_it(tmp_path):
    folder = str(tmp_path / "b")
    _model().fit(X, Y, epochs=2, verbose=0, callbacks=[BackupAndRestore(folder, delete_checkpoint=False)])
    assert _metadata(folder) == {"epoch": 2, "batch": 0}


def test_double_checkpoint_keeps_the_previous_backup(tmp_path):
    folder = str(tmp_path / "b")
    _interrupted(BackupAndRestore(folder, double_checkpoint=True), epoch=2)
    assert sorted(os.listdir(folder)) == ["latest.weights.h5", "latest.weights.h5.bkp",
                                          "training_metadata.json", "training_metadata.json.bkp"]
    with open(os.path.join(folder, "training_metadata.json.bkp")) as f:
        assert json.load(f) == {"epoch": 1, "batch": 0}


# ---------------------------------------------------------------------- restoring
def test_resumes_at_the_saved_epoch(tmp_path):
    backup = BackupAndRestore(str(tmp_path / "b"))
    model = _interrupted(backup, epoch=2)
    history = model.fit(X, Y, epochs=5, batch_size=8, verbose=0, callbacks=[backup])
    assert history.epoch == [2, 3, 4]


def test_restores_weights_and_optimizer_into_a_fresh_model(tmp_path):
    folder = str(tmp_path / "b")
    trained = _interrupted(BackupAndRestore(folder), epoch=2)
    seen = {}

    class Probe(Callback):
        def on_train_begin(self, logs=None):
            seen["weights"] = self.model.get_weights()
            seen["iterations"] = int(self.model.optimizer.iterations)

    fresh = _model()
    fresh.fit(X, Y, epochs=3, batch_size=8, verbose=0, callbacks=[BackupAndRestore(folder), Probe()])
    for a, b in zip(seen["weights"], trained.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert seen["iterations"] == 8


def test_resumed_fit_is_not_resumed_again(tmp_path):
    backup = BackupAndRestore(str(tmp_path / "b"))
    model = _interrupted(backup, epoch=2)
    model.fit(X, Y, epochs=5, batch_size=8, verbose=0, callbacks=[backup])
    assert model.fit(X, Y, epochs=2, verbose=0).epoch == [0, 1]


def test_unreadable_latest_falls_back_to_previous(tmp_path):
    folder = str(tmp_path / "b")
    backup = BackupAndRestore(folder, double_checkpoint=True)
    model = _interrupted(backup, epoch=3)
    with open(os.path.join(folder, "latest.weights.h5"), "wb") as f:
        f.write(b"cut short")
    history = model.fit(X, Y, epochs=5, batch_size=8, verbose=0, callbacks=[backup])
    assert history.epoch == [2, 3, 4]  # the previous backup (2 epochs done)


def test_unreadable_latest_without_previous_raises(tmp_path):
    folder = str(tmp_path / "b")
    backup = BackupAndRestore(folder)
    model = _interrupted(backup, epoch=2)
    with open(os.path.join(folder, "latest.weights.h5"), "wb") as f:
        f.write(b"cut short")
    with pytest.raises(ValueError, match="Could not read the weights file"):
        model.fit(X, Y, epochs=5, verbose=0, callbacks=[backup])


def test_unbuilt_model_raises(tmp_path):
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")

    def batches():
        while True:
            yield X[:8], Y[:8]

    with pytest.raises(ValueError, match="you model must be built before you call `fit\\(\\)`"):
        model.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0, shuffle=False,
                  callbacks=[BackupAndRestore(str(tmp_path))])


# ---------------------------------------------------------------------- killed and restarted
def test_killed_and_restarted_run_is_bit_identical(tmp_path, run_resume):
    full, resumed, folder = tmp_path / "full.npy", tmp_path / "resumed.npy", str(tmp_path / "backup")
    run_resume("--mode", "backup", "--dir", str(tmp_path / "other"), "--out", str(full))
    killed = run_resume("--mode", "backup", "--dir", folder, "--out", str(resumed), "--kill-at", "2", check=False)
    assert killed.returncode == -9 and not resumed.exists()
    assert _metadata(folder)["epoch"] == 3
    run_resume("--mode", "backup", "--dir", folder, "--out", str(resumed))
    assert np.array_equal(np.load(full), np.load(resumed))
    assert not os.path.exists(folder)  # deleted once the resumed fit completed


def test_epoch_backups_keep_the_default_batch_hook(tmp_path):
    # fit() runs a whole epoch per native call only when no callback watches batches.
    assert getattr(BackupAndRestore(str(tmp_path)).on_train_batch_end, "_is_default", False)
    assert not getattr(BackupAndRestore(str(tmp_path), save_freq=2).on_train_batch_end, "_is_default", False)
