# Tests for ModelCheckpoint: filename checks and templates, when it saves (every epoch, every N
# batches, only on improvement by mode / threshold), its messages, what a weights checkpoint
# holds, and a run killed mid-fit and resumed from a checkpoint ending bit-identical.
import os

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import LambdaCallback, ModelCheckpoint

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model(metrics=()):
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5), loss="mse", metrics=list(metrics))
    return m


def _script(values, key="val_loss"):
    """Sets logs[key] to values[epoch] at each epoch end (before the checkpoint runs)."""
    def on_epoch_end(epoch, logs):
        logs[key] = values[epoch]
    return LambdaCallback(on_epoch_end=on_epoch_end)


def _fit(cb, values=None, epochs=3, model=None, key="val_loss", **kw):
    model = model or _model()
    extra = [_script(values, key)] if values is not None else []
    model.fit(X, Y, epochs=epochs, batch_size=8, verbose=0, callbacks=extra + [cb], **kw)
    return model


def _saved(folder):
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------- arguments
def test_weights_only_needs_weights_h5_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        ModelCheckpoint(str(tmp_path / "m.h5"), save_weights_only=True)


def test_full_model_needs_keras_or_h5_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        ModelCheckpoint(str(tmp_path / "m.ckpt"))
    ModelCheckpoint(str(tmp_path / "m.keras"))
    ModelCheckpoint(str(tmp_path / "m.h5"))


def test_bad_save_freq(tmp_path):
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")


def test_accepts_path_objects(tmp_path):
    cb = ModelCheckpoint(tmp_path / "m.weights.h5", save_weights_only=True)
    _fit(cb, epochs=1)
    assert _saved(tmp_path) == ["m.weights.h5"]


# ---------------------------------------------------------------------- templates
def test_epoch_template_is_one_based(tmp_path):
    _fit(ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.weights.h5"), save_weights_only=True))
    assert _saved(tmp_path) == ["w-01.weights.h5", "w-02.weights.h5", "w-03.weights.h5"]


def test_log_keys_with_format_spec(tmp_path):
    _fit(ModelCheckpoint(str(tmp_path / "w-{epoch}-{val_loss:.3f}.weights.h5"), save_weights_only=True),
         values=[0.5, 0.25, 0.125])
    assert _saved(tmp_path) == ["w-1-0.500.weights.h5", "w-2-0.250.weights.h5", "w-3-0.125.weights.h5"]


def test_unknown_template_key_raises_key_error(tmp_path):
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        _fit(ModelCheckpoint(str(tmp_path / "w-{nope}.weights.h5"), save_weights_only=True), epochs=1)


def test_creates_missing_folders(tmp_path):
    _fit(ModelCheckpoint(str(tmp_path / "a" / "b" / "w.weights.h5"), save_weights_only=True), epochs=1)
    assert (tmp_path / "a" / "b" / "w.weights.h5").exists()


def test_existing_directory_as_filepath(tmp_path):
    (tmp_path / "d.weights.h5").mkdir()
    with pytest.raises(IOError, match="non-directory filepath"):
        _fit(ModelCheckpoint(str(tmp_path / "d.weights.h5"), save_weights_only=True), epochs=1)


# ---------------------------------------------------------------------- save_best_only / mode
def _best_epochs(tmp_path, values, key="val_loss", **kw):
    model = kw.pop("model", None)
    cb = ModelCheckpoint(str(tmp_path / "w-{epoch}.weights.h5"), monitor=key, save_best_only=True,
                         save_weights_only=True, **kw)
    _fit(cb, values=values, epochs=len(values), key=key, model=model)
    return [int(name.split("-")[1].split(".")[0]) for name in _saved(tmp_path)]


def test_save_best_only_min(tmp_path):
    assert _best_epochs(tmp_path, [1.0, 0.5, 0.7, 0.4], mode="min") == [1, 2, 4]


def test_save_best_only_max(tmp_path):
    assert _best_epochs(tmp_path, [0.1, 0.5, 0.3, 0.6], mode="max") == [1, 2, 4]


def test_mode_auto_minimizes_loss(tmp_path):
    assert _best_epochs(tmp_path, [1.0, 1.5, 0.2]) == [1, 3]


def test_mode_auto_maximizes_accuracy(tmp_path):
    model = _model(metrics=["accuracy"])
    assert _best_epochs(tmp_path, [0.2, 0.1, 0.9], key="val_accuracy", model=model) == [1, 3]


def test_unknown_mode_warns_and_falls_back_to_auto(tmp_path):
    with pytest.warns(UserWarning, match="mode 'up' is unknown"):
        cb = ModelCheckpoint(str(tmp_path / "w.weights.h5"), mode="up", save_weights_only=True)
    assert cb.mode == "auto"


def test_initial_value_threshold(tmp_path):
    assert _best_epochs(tmp_path, [0.9, 0.6, 0.4], mode="min", initial_value_threshold=0.5) == [3]


def test_missing_monitor_warns_and_saves(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "w.weights.h5"), monitor="val_nothing", save_best_only=True,
                         save_weights_only=True, mode="min")
    with pytest.warns(UserWarning, match="Can save best model only with val_nothing available"):
        _fit(cb, epochs=1)
    assert _saved(tmp_path) == ["w.weights.h5"]


def test_best_only_without_epoch_in_name_keeps_the_best(tmp_path):
    seen = []
    model = _model()
    cb = ModelCheckpoint(str(tmp_path / "best.weights.h5"), save_best_only=True, save_weights_only=True, mode="min")
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    model.fit(X, Y, epochs=3, batch_size=8, verbose=0, callbacks=[_script([0.3, 0.1, 0.2]), cb, record])
    other = _model()
    other.load_weights(str(tmp_path / "best.weights.h5"))
    for a, b in zip(other.get_weights(), seen[1]):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------- verbose
def test_verbose_messages(tmp_path, capsys):
    path = str(tmp_path / "w.weights.h5")
    cb = ModelCheckpoint(path, save_best_only=True, save_weights_only=True, mode="min", verbose=1)
    _fit(cb, values=[0.5, 0.7], epochs=2)
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from None to 0.50000, saving model to {path}" in out
    assert f"Epoch 1: finished saving model to {path}" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out


def test_verbose_message_without_best_only(tmp_path, capsys):
    path = str(tmp_path / "w.weights.h5")
    _fit(ModelCheckpoint(path, save_weights_only=True, verbose=1), epochs=1)
    assert f"\nEpoch 1: saving model to {path}\n" in capsys.readouterr().out


def test_silent_by_default(tmp_path, capsys):
    _fit(ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True), epochs=1)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------------- save_freq
def test_save_freq_in_batches(tmp_path):
    # 4 batches per epoch, 2 epochs, every 3 batches: after batches 3 (epoch 1) and 2, 4... as Keras counts.
    _fit(ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.weights.h5"), save_weights_only=True, save_freq=3),
         epochs=2)
    assert _saved(tmp_path) == ["w-1-3.weights.h5", "w-2-2.weights.h5"]


def test_save_freq_counts_steps_of_an_execution(tmp_path):
    model = _model()
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=2)
    _fit(ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.weights.h5"), save_weights_only=True, save_freq=3),
         epochs=2, model=model)
    # Checked at execution ends (batches 2 and 4 of each epoch): 4 >= 3, then 2 + 2 >= 3, ...
    assert _saved(tmp_path) == ["w-1-4.weights.h5", "w-2-4.weights.h5"]


def test_save_freq_epoch_never_saves_on_batches(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "w-{epoch}.weights.h5"), save_weights_only=True)
    assert not cb._should_save_on_batch(0)


# ---------------------------------------------------------------------- what is saved
def test_weights_checkpoint_holds_the_epoch_weights_and_optimizer_state(tmp_path):
    seen = []
    model = _model()
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        (model.get_weights(), [v.numpy() for v in model.optimizer.variables])))
    cb = ModelCheckpoint(str(tmp_path / "w-{epoch}.weights.h5"), save_weights_only=True)
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[cb, record])
    other = _model()
    other.load_weights(str(tmp_path / "w-1.weights.h5"))
    for a, b in zip(other.get_weights(), seen[0][0]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(other.optimizer.variables, seen[0][1]):
        np.testing.assert_array_equal(a.numpy(), b)
    assert int(other.optimizer.iterations) == 4


class _SaveRecorder(keras.Sequential):
    """A model whose `save` records its calls (full-model mode hands the path to model.save)."""

    def save(self, filepath, overwrite=True, **kwargs):
        self.saved = getattr(self, "saved", []) + [(filepath, overwrite)]


def test_full_model_mode_calls_model_save(tmp_path):
    model = _SaveRecorder([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    _fit(ModelCheckpoint(str(tmp_path / "m-{epoch}.keras")), epochs=2, model=model)
    assert model.saved == [(str(tmp_path / "m-1.keras"), True), (str(tmp_path / "m-2.keras"), True)]


def test_full_model_mode_accepts_h5(tmp_path):
    model = _SaveRecorder([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    _fit(ModelCheckpoint(str(tmp_path / "m.h5")), epochs=1, model=model)
    assert model.saved == [(str(tmp_path / "m.h5"), True)]


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_full_model_checkpoint_loads_with_the_epoch_weights_and_optimizer(tmp_path, ext):
    seen = []
    model = _model()
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        (model.get_weights(), [v.numpy() for v in model.optimizer.variables])))
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / f"m-{{epoch}}.{ext}")), record])
    loaded = keras.models.load_model(str(tmp_path / f"m-1.{ext}"))
    for a, b in zip(loaded.get_weights(), seen[0][0]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.optimizer.variables, seen[0][1]):
        np.testing.assert_array_equal(a.numpy(), b)


# ---------------------------------------------------------------------- resuming
def test_killed_run_resumed_from_checkpoint_is_bit_identical(tmp_path, run_resume):
    full, resumed = tmp_path / "full.npy", tmp_path / "resumed.npy"
    run_resume("--mode", "checkpoint", "--dir", str(tmp_path / "a"), "--out", str(full))
    killed = run_resume("--mode", "checkpoint", "--dir", str(tmp_path / "b"), "--out", str(resumed), "--kill-at", "2",
                  check=False)
    assert killed.returncode == -9 and not resumed.exists()
    assert _saved(tmp_path / "b") == ["ckpt-01.weights.h5", "ckpt-02.weights.h5", "ckpt-03.weights.h5"]
    run_resume("--mode", "checkpoint", "--dir", str(tmp_path / "b"), "--out", str(resumed), "--resume-from", "3")
    assert np.array_equal(np.load(full), np.load(resumed))


def test_epoch_saving_keeps_the_default_batch_hook(tmp_path):
    # fit() runs a whole epoch per native call only when no callback watches batches.
    assert getattr(ModelCheckpoint(str(tmp_path / "w.keras")).on_train_batch_end, "_is_default", False)
    assert not getattr(ModelCheckpoint(str(tmp_path / "w.keras"), save_freq=2).on_train_batch_end,
                       "_is_default", False)
