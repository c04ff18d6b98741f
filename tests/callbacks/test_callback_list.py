# Tests for pykerascore.callbacks.CallbackList and the Callback base: fan-out order, the
# default History/ProgbarLogger, params/model wiring and logs conversion. Nothing native.
import numpy as np
import pytest

from pykerascore.callbacks import Callback
from pykerascore.callbacks import CallbackList
from pykerascore.callbacks import History
from pykerascore.callbacks import ProgbarLogger

HOOKS_WITH_INDEX = [
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]
HOOKS_WITHOUT_INDEX = [
    "on_train_begin",
    "on_train_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
]


class FakeModel:
    pass


class Recorder(Callback):
    """Records every hook call into a shared list as (name, hook, args, kwargs)."""

    def __init__(self, name, calls):
        super().__init__()
        self.name = name
        self.calls = calls

    def __getattribute__(self, attr):
        if attr in HOOKS_WITH_INDEX or attr in HOOKS_WITHOUT_INDEX:
            def record(*args, **kwargs):
                self.calls.append((self.name, attr, args, kwargs))
            return record
        return super().__getattribute__(attr)


def test_every_hook_fans_out_in_list_order():
    calls = []
    cbs = CallbackList([Recorder("a", calls), Recorder("b", calls)])
    for hook in HOOKS_WITHOUT_INDEX:
        getattr(cbs, hook)({"x": 1.0})
    for hook in HOOKS_WITH_INDEX:
        getattr(cbs, hook)(7, {"x": 2.0})
    expected = []
    for hook in HOOKS_WITHOUT_INDEX:
        expected += [(n, hook, ({"x": 1.0},), {}) for n in "ab"]
    for hook in HOOKS_WITH_INDEX:
        # As Keras: batch hooks get `logs=` by keyword, epoch hooks positionally.
        if "batch" in hook:
            expected += [(n, hook, (7,), {"logs": {"x": 2.0}}) for n in "ab"]
        else:
            expected += [(n, hook, (7, {"x": 2.0}), {}) for n in "ab"]
    assert calls == expected


def test_base_train_batch_hooks_forward_to_batch_aliases():
    seen = []

    class Legacy(Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, logs))

    cbs = CallbackList([Legacy()])
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    assert seen == [("begin", 0), ("end", 0, {"loss": 1.0})]


def test_base_hooks_are_marked_default_until_overridden():
    class Custom(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    cb = Custom()
    assert cb.on_train_batch_end._is_default
    assert not getattr(cb.on_epoch_end, "_is_default", False)


def test_history_and_progbar_are_appended_after_user_callbacks():
    user = Callback()
    cbs = CallbackList([user], add_history=True, add_progbar=True)
    assert [type(cb) for cb in cbs.callbacks] == [Callback, History, ProgbarLogger]


def test_defaults_are_not_added_unless_asked():
    assert CallbackList([Callback()]).callbacks[1:] == []


def test_user_history_and_progbar_are_not_duplicated():
    class MyHistory(History):
        pass

    logger, history = ProgbarLogger(), MyHistory()
    cbs = CallbackList([logger, history], add_history=True, add_progbar=True)
    assert cbs.callbacks == [logger, history]


def test_set_model_reaches_every_callback_and_sets_model_history():
    model = FakeModel()
    user = Callback()
    cbs = CallbackList([user], add_history=True, model=model)
    assert user.model is model
    assert cbs.callbacks[1].model is model
    assert model.history is cbs.callbacks[1]


def test_params_reach_every_callback():
    user = Callback()
    cbs = CallbackList([user], add_progbar=True, verbose=2, epochs=3, steps=10)
    assert user.params == {"verbose": 2, "epochs": 3, "steps": 10}
    logger = cbs.callbacks[1]
    assert (logger.verbose, logger.epochs, logger.target) == (2, 3, 10)


def test_nested_and_single_callbacks_are_flattened():
    a, b, c = Callback(), Callback(), Callback()
    assert CallbackList([a, [b, (c,)]]).callbacks == [a, b, c]
    assert CallbackList(a).callbacks == [a]


def test_append_and_iteration():
    a, b = Callback(), Callback()
    cbs = CallbackList([a])
    cbs.append(b)
    assert list(cbs) == [a, b]


def test_logs_become_python_floats_in_their_order():
    calls = []
    cbs = CallbackList([Recorder("a", calls)])
    logs = {"loss": np.float32(0.5), "b": {"z": np.array(2.0), "y": 3}, "name": "x"}
    cbs.on_epoch_end(0, logs)
    passed = calls[0][2][1]
    assert list(passed.items()) == [("loss", 0.5), ("z", 2.0), ("y", 3.0), ("name", "x")]
    assert all(type(passed[k]) is float for k in ("loss", "z", "y"))


def test_a_callback_adding_logs_is_seen_by_history():
    class AddsLearningRate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["learning_rate"] = 0.1

    cbs = CallbackList([AddsLearningRate()], add_history=True, model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    assert cbs.callbacks[1].history == {"loss": [1.0], "learning_rate": [0.1]}


def test_end_without_begin_raises():
    with pytest.raises(ValueError, match="without corresponding"):
        CallbackList([]).on_test_end()
