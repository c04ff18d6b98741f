"""Callback hooks through fit / evaluate / predict (order, counts, steps_per_execution) and
the printed progress of verbose=0/1/2/"auto"."""

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import Callback
from pykerascore.utils import progbar

R = np.random.default_rng(2)
X = R.normal(size=(32, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def _model(spe=1):
    keras.utils.set_random_seed(4)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="mse", steps_per_execution=spe)
    return m


class Log(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def _add(self, *e):
        self.events.append(e)

    def on_train_begin(self, logs=None): self._add("train_begin")
    def on_train_end(self, logs=None): self._add("train_end")
    def on_epoch_begin(self, epoch, logs=None): self._add("epoch_begin", epoch)
    def on_epoch_end(self, epoch, logs=None): self._add("epoch_end", epoch, tuple(logs))
    def on_train_batch_begin(self, batch, logs=None): self._add("train_batch_begin", batch)
    def on_train_batch_end(self, batch, logs=None): self._add("train_batch_end", batch, tuple(logs))
    def on_test_begin(self, logs=None): self._add("test_begin")
    def on_test_end(self, logs=None): self._add("test_end", tuple(logs))
    def on_test_batch_begin(self, batch, logs=None): self._add("test_batch_begin", batch)
    def on_test_batch_end(self, batch, logs=None): self._add("test_batch_end", batch)
    def on_predict_begin(self, logs=None): self._add("predict_begin")
    def on_predict_end(self, logs=None): self._add("predict_end")
    def on_predict_batch_begin(self, batch, logs=None): self._add("predict_batch_begin", batch)
    def on_predict_batch_end(self, batch, logs=None): self._add("predict_batch_end", batch, tuple(logs))


def test_fit_hook_order_with_validation():
    log = Log()
    _model().fit(X, Y, batch_size=16, epochs=2, validation_data=(X[:16], Y[:16]), verbose=0, callbacks=[log])
    epoch = [("train_batch_begin", 0), ("train_batch_end", 0, ("loss",)), ("train_batch_begin", 1),
             ("train_batch_end", 1, ("loss",)), ("test_begin",), ("test_batch_begin", 0), ("test_batch_end", 0),
             ("test_end", ("loss",))]
    assert log.events == ([("train_begin",), ("epoch_begin", 0)] + epoch + [("epoch_end", 0, ("loss", "val_loss")),
                          ("epoch_begin", 1)] + epoch + [("epoch_end", 1, ("loss", "val_loss")), ("train_end",)])


def test_batch_hooks_every_n_steps_truncated_at_epoch_end():
    log = Log()
    _model(spe=3).fit(X, Y, batch_size=4, epochs=1, verbose=0, callbacks=[log])
    begins = [e[1] for e in log.events if e[0] == "train_batch_begin"]
    ends = [e[1] for e in log.events if e[0] == "train_batch_end"]
    assert begins == [0, 3, 6] and ends == [2, 5, 7]


def test_evaluate_and_predict_hooks_with_steps_per_execution():
    log = Log()
    m = _model(spe=2)
    m.evaluate(X, Y, batch_size=8, verbose=0, callbacks=[log])
    m.predict(X, batch_size=8, verbose=0, callbacks=[log])
    assert log.events == [("test_begin",), ("test_batch_begin", 0), ("test_batch_end", 1), ("test_batch_begin", 2),
                          ("test_batch_end", 3), ("test_end", ("loss",)), ("predict_begin",),
                          ("predict_batch_begin", 0), ("predict_batch_end", 1, ("outputs",)),
                          ("predict_batch_begin", 2), ("predict_batch_end", 3, ("outputs",)), ("predict_end",)]


def test_predict_batch_end_gets_this_executions_outputs():
    got = []

    class Grab(Callback):
        def on_predict_batch_end(self, batch, logs=None):
            got.append(np.array(logs["outputs"]))

    m = _model()
    out = m.predict(X, batch_size=10, verbose=0, callbacks=[Grab()])
    assert [g.shape[0] for g in got] == [10, 10, 10, 2]
    np.testing.assert_array_equal(np.concatenate(got), out)


def test_params_and_model_are_set():
    seen = {}

    class P(Callback):
        def on_train_begin(self, logs=None):
            seen.update(self.params, model=self.model)

    m = _model()
    m.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[P()])
    assert seen["epochs"] == 3 and seen["steps"] == 4 and seen["verbose"] == 0 and seen["model"] is m


def test_stop_evaluating_and_stop_predicting():
    class Stop(Callback):
        def on_test_batch_end(self, batch, logs=None):
            self.model.stop_evaluating = True

        def on_predict_batch_end(self, batch, logs=None):
            self.model.stop_predicting = True

    m = _model()
    np.testing.assert_allclose(m.evaluate(X, Y, batch_size=8, verbose=0, callbacks=[Stop()]),
                               m.evaluate(X[:8], Y[:8], verbose=0), rtol=1e-6)
    assert m.predict(X, batch_size=8, verbose=0, callbacks=[Stop()]).shape == (8, 1)


def _fixed_clock(monkeypatch):
    monkeypatch.setattr(progbar.time, "time", lambda: 1000.0)  # a frozen clock: 0s, 0s/step


def test_verbose_2_prints_one_line_per_epoch(monkeypatch, capsys):
    _fixed_clock(monkeypatch)
    m = _model()
    h = m.fit(X, Y, batch_size=8, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[1] == f"4/4 - 0s - 0s/step - loss: {h.history['loss'][0]:.4f}"
    assert lines[2] == "Epoch 2/2" and len(lines) == 4


def test_verbose_0_prints_nothing(capsys):
    _model().fit(X, Y, epochs=2, verbose=0)
    _model().evaluate(X, Y, verbose=0)
    assert capsys.readouterr().out == ""


def test_verbose_auto_is_2_off_a_terminal(monkeypatch, capsys):
    _fixed_clock(monkeypatch)
    _model().fit(X, Y, batch_size=8, epochs=1, verbose="auto")
    out = capsys.readouterr().out
    assert out.startswith("4/4 - 0s - ") and "\b" not in out


def test_verbose_1_draws_the_bar(capsys):
    _model().fit(X, Y, batch_size=8, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "4/4" in out and "\u2501" in out and "loss:" in out


def test_evaluate_verbose_2_prints_the_result_line(monkeypatch, capsys):
    _fixed_clock(monkeypatch)
    loss = _model().evaluate(X, Y, batch_size=16, verbose=2)
    assert capsys.readouterr().out == f"2/2 - 0s - 0s/step - loss: {loss:.4f}\n"


def test_bad_verbose_raises():
    with pytest.raises(ValueError, match="verbose"):
        _model().fit(X, Y, verbose=3)
