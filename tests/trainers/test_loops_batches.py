"""The batch path (any DataAdapter that yields batches), *_on_batch, deprecated aliases and
run_eagerly -- all through the same loops as array data."""

import warnings

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import Callback
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter
from pykerascore.trainers.trainer import UncompiledModelError

R = np.random.default_rng(1)
X = R.normal(size=(40, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


class ListAdapter(DataAdapter):
    """Yields fixed (x, y, sample_weight) batches; `known=False` hides the count like a generator,
    `endless=True` cycles forever."""

    def __init__(self, batches, known=True, endless=False):
        self.batches, self.known, self.endless = batches, known, endless
        self.begun = self.ended = 0

    @property
    def num_batches(self):
        return len(self.batches) if self.known and not self.endless else None

    def get_numpy_iterator(self):
        if self.endless:
            def cycle():
                while True:
                    yield from self.batches
            return cycle()
        return iter(self.batches)

    def on_epoch_begin(self):
        self.begun += 1

    def on_epoch_end(self):
        self.ended += 1


def _batches(x=X, y=Y, bs=8, sw=None):
    return [(x[i:i + bs], None if y is None else y[i:i + bs], None if sw is None else sw[i:i + bs])
            for i in range(0, len(x), bs)]


def _model(metrics=None):
    keras.utils.set_random_seed(5)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="tanh"), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=metrics)
    return m


def _assert_same_weights(a, b, rtol=0.0):
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=rtol, atol=0 if rtol == 0 else 1e-7)


class Count(Callback):
    def __init__(self):
        super().__init__()
        self.train, self.test, self.predict, self.params_seen = [], [], [], None

    def on_train_begin(self, logs=None):
        self.params_seen = dict(self.params)

    def on_train_batch_end(self, batch, logs=None):
        self.train.append(batch)

    def on_test_batch_end(self, batch, logs=None):
        self.test.append(batch)

    def on_predict_batch_end(self, batch, logs=None):
        self.predict.append(batch)


def test_batch_path_trains_like_the_array_path():
    a, b = _model(["accuracy"]), _model(["accuracy"])
    ha = a.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(ListAdapter(_batches()), epochs=2, verbose=0)
    _assert_same_weights(a, b)
    assert ha.history == hb.history


def test_batch_path_evaluate_and_predict_match_arrays():
    m = _model(["accuracy"])
    np.testing.assert_allclose(m.evaluate(ListAdapter(_batches()), verbose=0), m.evaluate(X, Y, batch_size=8, verbose=0),
                               rtol=1e-6)
    np.testing.assert_allclose(m.predict(ListAdapter(_batches(y=None)), verbose=0), m.predict(X, verbose=0), rtol=1e-6)


def test_batch_path_with_steps_per_execution_gives_same_weights():
    a, b = _model(), _model()
    a.fit(ListAdapter(_batches()), epochs=2, verbose=0)
    b.fit(ListAdapter(_batches()), epochs=2, verbose=0, steps_per_execution=2)
    _assert_same_weights(a, b)


def test_partial_last_batch_and_larger_later_batch():
    sizes = [3, 8, 5]
    starts = np.cumsum([0] + sizes)
    batches = [(X[s:s + n], Y[s:s + n], None) for s, n in zip(starts, sizes)]
    a, b = _model(), _model()
    b.fit(ListAdapter(batches), epochs=1, verbose=0)
    for x, y, _ in batches:
        a.train_on_batch(x, y)
    _assert_same_weights(a, b)


def test_unknown_size_is_learned_after_the_first_epoch():
    cb = Count()
    adapter = ListAdapter(_batches(), known=False)
    _model().fit(adapter, epochs=2, verbose=0, callbacks=[cb])
    assert cb.params_seen["steps"] is None
    assert cb.train == [0, 1, 2, 3, 4] * 2
    assert adapter.begun == adapter.ended == 2


def test_endless_input_with_steps_per_epoch():
    cb = Count()
    _model().fit(ListAdapter(_batches(), endless=True), epochs=2, steps_per_epoch=7, verbose=0, callbacks=[cb])
    assert cb.train == list(range(7)) * 2


def test_endless_input_with_steps_minus_one_runs_until_stopped():
    class StopAt(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 11:
                self.model.stop_training = True

    cb = Count()
    _model().fit(ListAdapter(_batches(), endless=True), epochs=3, steps_per_epoch=-1, verbose=0, callbacks=[StopAt(), cb])
    assert cb.train == list(range(12))


def test_running_out_with_steps_per_epoch_warns():
    cb = Count()
    with pytest.warns(UserWarning, match="ran out of data"):
        _model().fit(ListAdapter(_batches(), known=False), epochs=1, steps_per_epoch=9, verbose=0, callbacks=[cb])
    assert cb.train == [0, 1, 2, 3, 4]


def test_validation_data_as_adapter():
    m = _model()
    h = m.fit(X, Y, epochs=2, validation_data=ListAdapter(_batches()), verbose=0)
    np.testing.assert_allclose(h.history["val_loss"][-1], m.evaluate(X, Y, verbose=0), rtol=1e-6)


def test_validation_split_refuses_batch_inputs():
    with pytest.raises(ValueError, match="validation_split.*arrays"):
        _model().fit(ListAdapter(_batches()), validation_split=0.2, verbose=0)


def test_empty_input_raises():
    with pytest.raises(ValueError, match="non-empty"):
        _model().fit(ListAdapter([], known=False), verbose=0)
    with pytest.raises(ValueError, match="non-empty"):
        _model().predict(ListAdapter([], known=False), verbose=0)


def test_sample_weight_in_batches():
    sw = np.linspace(0.1, 1, 40).astype("float32")
    m = _model()
    np.testing.assert_allclose(m.evaluate(ListAdapter(_batches(sw=sw)), verbose=0),
                               m.evaluate(X, Y, sample_weight=sw, batch_size=8, verbose=0), rtol=1e-6)


# ---------------------------------------------------------------- *_on_batch
def test_train_on_batch_equals_one_fit_step():
    a, b = _model(), _model()
    loss = a.train_on_batch(X[:8], Y[:8])
    h = b.fit(X[:8], Y[:8], batch_size=8, epochs=1, shuffle=False, verbose=0)
    _assert_same_weights(a, b)
    assert loss == pytest.approx(h.history["loss"][0], rel=1e-6)


def test_on_batch_return_forms():
    m = _model(["accuracy"])
    out = m.train_on_batch(X[:8], Y[:8])
    assert isinstance(out, list) and len(out) == 2
    d = m.test_on_batch(X[:8], Y[:8], return_dict=True)
    assert list(d) == ["loss", "accuracy"] and all(isinstance(v, float) for v in d.values())
    assert isinstance(_model().test_on_batch(X[:8], Y[:8]), float)


def test_test_on_batch_reset_metrics_false_accumulates():
    m = _model(["accuracy"])
    m.test_on_batch(X[:20], Y[:20])
    acc = m.test_on_batch(X[20:], Y[20:], reset_metrics=False)
    np.testing.assert_allclose(acc, m.evaluate(X, Y, batch_size=20, verbose=0), rtol=1e-6)


def test_reset_metrics_true_reports_only_this_batch():
    m = _model()
    m.test_on_batch(X[:20], Y[:20])
    np.testing.assert_allclose(m.test_on_batch(X[20:], Y[20:]), m.evaluate(X[20:], Y[20:], verbose=0), rtol=1e-6)


def test_reset_metrics_call_ends_accumulation():
    m = _model()
    m.test_on_batch(X[:20], Y[:20], reset_metrics=False)
    m.reset_metrics()
    np.testing.assert_allclose(m.test_on_batch(X[20:], Y[20:], reset_metrics=False),
                               m.evaluate(X[20:], Y[20:], verbose=0), rtol=1e-6)


def test_train_on_batch_reset_metrics_false_accumulates():
    m = _model()
    first = m.train_on_batch(X[:20], Y[:20], reset_metrics=False)
    second_alone = _model()
    second_alone.train_on_batch(X[:20], Y[:20])
    second = second_alone.test_on_batch(X[20:], Y[20:])  # loss before the second step's update
    both = m.train_on_batch(X[20:], Y[20:], reset_metrics=False)
    np.testing.assert_allclose(both, (first + second) / 2, rtol=1e-5)


def test_predict_on_batch_matches_predict():
    m = _model()
    np.testing.assert_allclose(m.predict_on_batch(X[:7]), m.predict(X, verbose=0)[:7], rtol=1e-6)


def test_on_batch_programs_are_cached_per_signature():
    m = _model()
    m.train_on_batch(X[:8], Y[:8])
    n = len(m._programs)
    for i in range(5):
        m.train_on_batch(X[i:i + 8], Y[i:i + 8])
        m.train_on_batch(X[:5], Y[:5])  # smaller batch reuses the program
    assert len(m._programs) == n


def test_on_batch_uncompiled_raises_and_predict_works():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    for call in (lambda: m.train_on_batch(X, Y), lambda: m.test_on_batch(X, Y)):
        with pytest.raises(UncompiledModelError, match="compile"):
            call()
    assert m.predict_on_batch(X).shape == (40, 2)


def test_on_batch_wrong_shape_raises_before_training():
    m = _model()
    w = m.get_weights()
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(8, 5\)"):
        m.train_on_batch(np.zeros((8, 5), "float32"), Y[:8])
    with pytest.raises(ValueError, match="same number of samples"):
        m.train_on_batch(X[:8], Y[:6])
    with pytest.raises(ValueError, match="numeric"):
        m.train_on_batch(np.array([["a"] * 4] * 8), Y[:8])
    for a, b in zip(w, m.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- aliases, eager
def test_fit_generator_warns_and_trains():
    m = _model()
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        h = m.fit_generator(ListAdapter(_batches()), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_evaluate_and_predict_generator_warn():
    m = _model()
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        loss = m.evaluate_generator(ListAdapter(_batches()))
    assert loss == pytest.approx(m.evaluate(X, Y, batch_size=8, verbose=0), rel=1e-6)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        assert m.predict_generator(ListAdapter(_batches(y=None))).shape == (40, 1)


def test_run_eagerly_gives_the_same_numbers():
    pytest.importorskip("pykerascore.trainers.eager")
    a, b = _model(["accuracy"]), _model(["accuracy"])
    b.run_eagerly = True
    ha = a.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    _assert_same_weights(a, b, rtol=1e-5)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(a.predict(X, verbose=0), b.predict(X, verbose=0), rtol=1e-5)
