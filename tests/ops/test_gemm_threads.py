"""The CPU GEMM's own threading (csrc/ops/blas.cpp splits large products over the engine pool,
OpenBLAS stays at one thread): results must be bitwise identical for any thread count, match
NumPy, and a trained model must not depend on set_num_threads."""
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.backend import symbolic

# (M, K, N, transpose_a, transpose_b): the mlp step's GEMMs (forward, dW = x^T dz, dx = dz W^T,
# the 10-unit head), odd sizes that leave ragged blocks, a row split (M > N) and small ones that
# stay unsplit.
SHAPES = [
    (128, 784, 512, False, False),
    (784, 128, 512, True, False),
    (128, 512, 784, False, True),
    (128, 512, 10, False, False),
    (512, 128, 10, True, False),
    (128, 10, 512, False, True),
    (130, 33, 517, False, False),
    (517, 33, 130, True, True),
    (1000, 64, 48, False, True),
    (8, 16, 8, False, False),
]


@pytest.fixture
def restore_threads():
    old = keras.config.get_num_threads()
    yield
    keras.config.set_num_threads(old)


def operands(M, K, N, ta, tb, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(dtype)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(dtype)
    return a, b


def native_matmul(a, b, ta, tb):
    """The registered 2-D `matmul` op with transpose attributes, run through a graph (keeps float64)."""
    g = symbolic.new_graph()
    x = symbolic.placeholder(g, a.shape, str(a.dtype), "a")
    y = symbolic.placeholder(g, b.shape, str(b.dtype), "b")
    out = symbolic.emit("matmul", [x, y], {"transpose_a": int(ta), "transpose_b": int(tb)})
    return g.evaluate({x._vid: a, y._vid: b}, [out._vid])[0]


def at_threads(n, fn, *args):
    keras.config.set_num_threads(n)
    return fn(*args)


def test_get_num_threads_returns_what_was_set(restore_threads):
    for n in (3, 2, 1):
        keras.config.set_num_threads(n)
        assert keras.config.get_num_threads() == n


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("M,K,N,ta,tb", SHAPES)
def test_matmul_bitwise_equal_across_thread_counts(restore_threads, M, K, N, ta, tb, dtype):
    a, b = operands(M, K, N, ta, tb, dtype)
    one = at_threads(1, native_matmul, a, b, ta, tb)
    for n in (2, 3):
        many = at_threads(n, native_matmul, a, b, ta, tb)
        assert many.dtype == np.dtype(dtype) and many.shape == (M, N)
        assert np.array_equal(one, many), f"{n} threads differ from 1 on {M}x{K}x{N} ta={ta} tb={tb}"


@pytest.mark.parametrize("M,K,N,ta,tb", SHAPES)
def test_matmul_matches_numpy_at_two_threads(restore_threads, M, K, N, ta, tb):
    a, b = operands(M, K, N, ta, tb, "float64", seed=1)
    got = at_threads(2, native_matmul, a.astype("float32"), b.astype("float32"), ta, tb)
    want = (a.T if ta else a) @ (b.T if tb else b)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.sqrt(K))


def train_weights(threads):
    keras.config.set_num_threads(threads)
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, 160)).astype("float32")
    y = rng.integers(0, 10, 512)
    model = keras.Sequential(
        [keras.Input((160,)), keras.layers.Dense(384, activation="relu"), keras.layers.Dense(256, activation="relu"),
         keras.layers.Dense(10)]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    initial = model.get_weights()
    model.fit(x, y, batch_size=128, epochs=2, shuffle=False, verbose=0)
    return initial, model.get_weights(), model.predict(x, batch_size=128, verbose=0)


def test_dense_training_identical_at_one_and_two_threads(restore_threads):
    start, w1, p1 = train_weights(1)
    _, w2, p2 = train_weights(2)
    assert len(w1) == len(w2) == 6
    assert not np.array_equal(start[0], w1[0])  # training moved the weights
    for a, b in zip(w1, w2):
        assert np.array_equal(a, b)
    assert np.array_equal(p1, p2)
