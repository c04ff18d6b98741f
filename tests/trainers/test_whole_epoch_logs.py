"""When an epoch runs as one native call, batch logs are built only if a callback can read them.

The trainer skips reading the metrics back after each execution when every batch hook is the
default no-op; these tests pin down that anyone who does listen still gets the logs.
"""

import numpy as np

import pykerascore as keras


def _model_and_data(n=256):
    r = np.random.default_rng(0)
    x = r.normal(size=(n, 8)).astype("float32")
    y = (x.sum(1, keepdims=True) > 0).astype("float32")
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return m, x, y


class _BatchLogs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.logs = []

    def on_test_batch_end(self, batch, logs=None):
        self.logs.append(dict(logs or {}))


def test_batch_hook_gets_logs_matching_evaluate():
    m, x, y = _model_and_data()
    cb = _BatchLogs()
    result = m.evaluate(x, y, batch_size=32, verbose=0, callbacks=[cb], return_dict=True)
    assert len(cb.logs) == 8  # a listener turns the one-call epoch off: one hook per batch
    assert set(cb.logs[-1]) == {"loss", "accuracy"}
    np.testing.assert_allclose(cb.logs[-1]["loss"], result["loss"], rtol=1e-6)


def test_callback_list_subclass_gets_batch_logs():
    class Listening(keras.callbacks.CallbackList):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.seen = []

        def on_test_batch_end(self, batch, logs=None):
            self.seen.append(dict(logs or {}))

    m, x, y = _model_and_data()
    cbs = Listening(model=m)
    result = m.evaluate(x, y, batch_size=32, verbose=0, callbacks=cbs, return_dict=True)
    assert cbs.seen, "a CallbackList subclass overriding a batch hook must be called with logs"
    np.testing.assert_allclose(cbs.seen[-1]["loss"], result["loss"], rtol=1e-6)


def test_quiet_evaluate_and_fit_give_the_same_numbers_as_listened_ones():
    m, x, y = _model_and_data()
    quiet = m.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    listened = m.evaluate(x, y, batch_size=32, verbose=0, callbacks=[_BatchLogs()], return_dict=True)
    # A quiet evaluate also runs several batches per step (row groups): same sums, in another order.
    assert quiet.keys() == listened.keys()
    for k in quiet:
        np.testing.assert_allclose(quiet[k], listened[k], rtol=1e-6)
    m2, _, _ = _model_and_data()
    m2.set_weights(m.get_weights())
    h1 = m.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False).history
    h2 = m2.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False, callbacks=[_BatchLogs()]).history
    assert h1 == h2


def test_program_cache_hits_for_a_repeated_signature():
    m, x, y = _model_and_data()
    m.evaluate(x, y, batch_size=32, verbose=0)
    before = len(m._programs)
    m.evaluate(x.copy(), y.copy(), batch_size=32, verbose=0)
    m.predict(x, batch_size=32, verbose=0)
    m.predict(x.copy(), batch_size=32, verbose=0)
    assert len(m._programs) == before + 1  # the second evaluate reused its program; predict built one


class _TrainBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)


def test_steps_per_execution_epoch_as_one_call_gives_the_same_numbers():
    m, x, y = _model_and_data()
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=3)
    m2, _, _ = _model_and_data()
    m2.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=3)
    m2.set_weights(m.get_weights())
    keras.utils.set_random_seed(7)
    quiet = m.fit(x, y, batch_size=32, epochs=2, verbose=0).history
    listener = _TrainBatches()
    keras.utils.set_random_seed(7)
    listened = m2.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[listener]).history
    assert quiet == listened  # same seed, same shuffles: one call per epoch changes no number
    assert listener.batches[:3] == [2, 5, 7]  # a listener still sees executions of 3 steps
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)
