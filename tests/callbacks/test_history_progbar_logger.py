# Tests for History and ProgbarLogger driven the way the trainer drives them (a fake model,
# hand-called hooks, a fake clock): History across fits, the exact lines ProgbarLogger prints.
import types

import pytest

from pykerascore.callbacks import CallbackList
from pykerascore.callbacks import History
from pykerascore.callbacks import ProgbarLogger
from pykerascore.utils import progbar as progbar_module

BOLD, GREEN, RESET = "\x1b[1m", "\x1b[32m", "\x1b[0m"


class FakeModel:
    pass


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(0.0)
    monkeypatch.setattr(progbar_module, "time", types.SimpleNamespace(time=fake))
    monkeypatch.setattr(progbar_module, "_stdout_is_dynamic", lambda: False)
    return fake


def run_fit(model, callbacks=None, epochs=1, initial_epoch=0, steps=3, verbose=0,
            validation=False, clock=None):
    """Calls the hooks as fit() does; loss of epoch e is 1 / (e + 1)."""
    cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                       verbose=verbose, epochs=epochs, steps=steps, model=model)
    cbs.on_train_begin()
    logs = None
    for epoch in range(initial_epoch, epochs):
        cbs.on_epoch_begin(epoch)
        logs = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5}
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            if clock:
                clock.now += 0.25
            cbs.on_train_batch_end(batch, logs)
        if validation:
            cbs.on_test_begin()
            cbs.on_test_batch_begin(0)
            cbs.on_test_batch_end(0, {"loss": 9.0})
            cbs.on_test_end({"loss": 9.0})
            logs = dict(logs, val_loss=9.0)
        cbs.on_epoch_end(epoch, logs)
    cbs.on_train_end(logs)
    return model.history


def test_history_records_each_epoch_in_log_order():
    history = run_fit(FakeModel(), epochs=2)
    assert history.epoch == [0, 1]
    assert list(history.history) == ["loss", "accuracy"]
    assert history.history == {"loss": [1.0, 0.5], "accuracy": [0.5, 0.5]}


def test_history_params_are_the_fit_params():
    history = run_fit(FakeModel(), epochs=2, steps=5)
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 5}


def test_second_fit_with_initial_epoch_gets_a_new_history():
    model = FakeModel()
    first = run_fit(model, epochs=2)
    second = run_fit(model, epochs=4, initial_epoch=2)
    assert second is not first and model.history is second
    assert second.epoch == [2, 3]
    assert second.history == {"loss": [1 / 3, 0.25], "accuracy": [0.5, 0.5]}
    assert first.history["loss"] == [1.0, 0.5]


def test_reused_history_keeps_values_and_restarts_epochs():
    model, history = FakeModel(), History()
    run_fit(model, [history], epochs=2)
    run_fit(model, [history], epochs=4, initial_epoch=2)
    assert history.epoch == [2, 3]
    assert history.history["loss"] == [1.0, 0.5, 1 / 3, 0.25]
    assert model.history is history


def test_fit_verbose2_prints_one_line_per_epoch(clock, capsys):
    run_fit(FakeModel(), epochs=2, steps=4, verbose=2, validation=True, clock=clock)
    assert capsys.readouterr().out == (
        "Epoch 1/2\n"
        "4/4 - 1s - 250ms/step - accuracy: 0.5000 - loss: 1.0000 - val_loss: 9.0000\n"
        "Epoch 2/2\n"
        "4/4 - 1s - 250ms/step - accuracy: 0.5000 - loss: 0.5000 - val_loss: 9.0000\n"
    )


def test_single_epoch_fit_has_no_epoch_line(clock, capsys):
    run_fit(FakeModel(), epochs=1, steps=2, verbose=2, clock=clock)
    assert capsys.readouterr().out == (
        "2/2 - 0s - 250ms/step - accuracy: 0.5000 - loss: 1.0000\n"
    )


def test_fit_verbose1_final_line(clock, capsys):
    run_fit(FakeModel(), epochs=1, steps=2, verbose=1, clock=clock)
    final = capsys.readouterr().out.split("\n")[-2]
    assert final == (
        f"{BOLD}2/2{RESET} {GREEN}{'━' * 20}{RESET}\x1b[37m{RESET}"
        f" {BOLD}0s{RESET} 250ms/step - accuracy: 0.5000 - loss: 1.0000"
    )


def test_verbose_auto_means_progress_bar():
    logger = ProgbarLogger()
    logger.set_params({"verbose": "auto", "epochs": 1, "steps": 2})
    assert logger.verbose == 1


def test_steps_per_execution_uses_the_batch_index_given(clock, capsys):
    logger = ProgbarLogger()
    cbs = CallbackList([logger], verbose=1, epochs=1, steps=4, model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    seen = []
    for last_batch in (1, 3):  # steps_per_execution=2: hooks after batches 1 and 3
        clock.now += 1.0
        cbs.on_train_batch_end(last_batch, {"loss": 1.0})
        seen.append(logger.seen)
    assert seen == [2, 4]
    assert f"{BOLD}2/4{RESET}" in capsys.readouterr().out


def test_evaluate_prints_its_own_line(clock, capsys):
    cbs = CallbackList(None, add_progbar=True, verbose=2, epochs=1, steps=2,
                       model=FakeModel())
    cbs.on_test_begin()
    for batch in range(2):
        clock.now += 0.5
        cbs.on_test_batch_end(batch, {"loss": 2.0, "mae": 1.0})
    cbs.on_test_end({"loss": 2.0, "mae": 1.0})
    assert capsys.readouterr().out == "2/2 - 1s - 500ms/step - loss: 2.0000 - mae: 1.0000\n"


def test_predict_prints_no_outputs(clock, capsys):
    cbs = CallbackList(None, add_progbar=True, verbose=2, epochs=1, steps=2,
                       model=FakeModel())
    cbs.on_predict_begin()
    for batch in range(2):
        clock.now += 0.5
        cbs.on_predict_batch_end(batch, {"outputs": 3.0})
    cbs.on_predict_end()
    assert capsys.readouterr().out == "2/2 - 1s - 500ms/step\n"


def test_unknown_steps_take_the_count_seen(clock, capsys):
    cbs = CallbackList(None, add_progbar=True, verbose=2, epochs=1, steps=None,
                       model=FakeModel())
    cbs.on_test_begin()
    for batch in range(3):
        cbs.on_test_batch_end(batch, {"loss": 1.0})
    cbs.on_test_end({"loss": 1.0})
    assert capsys.readouterr().out.startswith("3/3 - ")


def test_verbose0_adds_no_logger():
    cbs = CallbackList(None, add_history=True, add_progbar=False, verbose=0,
                       epochs=1, steps=1, model=FakeModel())
    assert [type(cb) for cb in cbs.callbacks] == [History]
