"""The optimizer leaves the gradient slots of the parameter pack zero after every step, because
training programs add each step's weight gradients into them (dense_weight_grad with beta = 1).
Each path through Optimizer::apply must keep that promise, or the next step would add to stale
gradients."""

import numpy as np

import pykerascore as keras


def _model(optimizer, units=8):
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(units, activation="relu"),
                          keras.layers.Dense(units), keras.layers.Dense(1)])
    m.compile(optimizer=optimizer, loss="mse")
    return m


def _data(n=64, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 6)).astype("float32")
    return x, (x[:, :1] * 2 - x[:, 1:2]).astype("float32")


def _grads(m):
    return np.asarray(m._pack[1].grads())


def test_slots_are_zero_after_an_update():
    m = _model("adam")
    x, y = _data()
    m.train_on_batch(x, y)
    assert m._pack is not None and not _grads(m).any()


def test_slots_are_zero_after_a_skipped_loss_scale_step():
    m = _model(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01)))
    x, y = _data()
    x_bad = x.copy()
    x_bad[0, 0] = np.inf  # non-finite gradients: the step is skipped
    before = [w.copy() for w in m.get_weights()]
    m.train_on_batch(x_bad, y)
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not _grads(m).any()


def test_slots_are_zero_after_an_accumulation_only_step():
    m = _model(keras.optimizers.SGD(0.01, gradient_accumulation_steps=2))
    x, y = _data()
    m.train_on_batch(x, y)  # accumulates, no update
    assert not _grads(m).any()


def test_a_step_after_a_skipped_one_sees_only_its_own_gradients():
    # Two models in the same state, except that one first skips a non-finite step: the next
    # (finite) step must give both the same weights, so nothing of the skipped step survives.
    x, y = _data()
    x_bad = x.copy()
    x_bad[0, 0] = np.inf
    skipped = _model(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01), initial_scale=2.0 ** 15))
    skipped.train_on_batch(x_bad, y)  # halves the scale to 2**14
    direct = _model(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01), initial_scale=2.0 ** 14))
    skipped.train_on_batch(x, y)
    direct.train_on_batch(x, y)
    for a, b in zip(skipped.get_weights(), direct.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weight_gradients_match_numpy_over_several_steps():
    # Plain SGD on one linear layer: w -= lr * x^T (2 (xw + b - y) / n) each step, so any gradient
    # left over from an earlier step would show up in the second and third updates.
    keras.utils.set_random_seed(5)
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4)])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    r = np.random.default_rng(2)
    w, b = [v.astype(np.float64) for v in m.get_weights()]
    for step in range(3):
        x = r.normal(size=(16, 6)).astype("float32")
        y = r.normal(size=(16, 4)).astype("float32")
        m.train_on_batch(x, y)
        d = 2.0 * (x @ w + b - y) / y.size
        w -= 0.1 * (x.T.astype(np.float64) @ d)
        b -= 0.1 * d.sum(0)
    np.testing.assert_allclose(m.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.get_weights()[1], b, rtol=1e-5, atol=1e-6)
