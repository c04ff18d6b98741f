"""The engine's device path: whole fit / evaluate / predict / train_on_batch runs placed on a GPU
(through the private `config._use_device`, since the public `set_device("cuda")` stays gated until
these pass on a GPU) against the same runs on the CPU. The refusal of ops without a CUDA kernel
runs wherever `_cuda` is built (it happens before any device work); the rest is marked `cuda`.
"""

import importlib
import importlib.util
import os

import numpy as np
import pytest

keras = importlib.import_module("pykerascore")
config = importlib.import_module("pykerascore.config")
cuda_backend = importlib.import_module("pykerascore.backend.cuda")
core = importlib.import_module("pykerascore.backend").core

# The bench workloads, loaded by path (bench/ is not a package and must not go on sys.path).
_spec = importlib.util.spec_from_file_location(
    "_pkc_bench_workloads", os.path.join(os.path.dirname(__file__), "..", "..", "bench", "python", "workloads.py"))
workloads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workloads)

N = 1024  # rows per bench workload: a few dozen steps, seconds on a GPU
EPOCHS = 2
MISSING_KERNEL = "no CUDA kernel yet"


def _on(device, fn, *args, **kwargs):
    """Runs fn with new programs placed on `device` ("cpu" or "cuda:0"), then back on the CPU."""
    config._use_device(device)
    try:
        return fn(*args, **kwargs)
    finally:
        config.set_device("cpu")


@pytest.fixture
def gpu():
    if not cuda_backend.is_available():
        pytest.skip("no CUDA device, or pykerascore was built without _cuda")
    yield "cuda:0"
    config.set_device("cpu")
    config.set_resident_data_fraction(0.5)


def _twin_models(build, compile_args):
    """Two identically initialised, compiled models (one per device)."""
    keras.utils.set_random_seed(7)
    a = build(keras)
    b = build(keras)
    b.set_weights(a.get_weights())
    for m in (a, b):
        m.compile(**compile_args(keras))
    return a, b


def _xfail_if_kernels_missing(err):
    if MISSING_KERNEL in str(err):
        pytest.xfail(f"needs CUDA kernels not written yet: {err}")
    raise err


def _assert_history_close(h_gpu, h_cpu):
    assert list(h_gpu.history) == list(h_cpu.history)
    for key in h_cpu.history:
        np.testing.assert_allclose(h_gpu.history[key], h_cpu.history[key], rtol=1e-4, atol=1e-4, err_msg=key)


# --- wherever _cuda is built (no GPU needed) ---------------------------------------------------


def test_default_program_device_is_the_cpu():
    assert core.program_device() == "cpu"


def test_program_on_cuda_names_ops_without_a_cuda_kernel_before_any_device_work(built):
    # `built` (conftest) loaded _cuda, which registers the CUDA backend without a CUDA call.
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    x = np.zeros((8, 4), np.float32)
    y = np.eye(3, dtype=np.float32)[np.arange(8) % 3]
    before = model.get_weights()
    core.set_program_device("cuda", 0)  # bypasses config: there may be no GPU to check against
    try:
        with pytest.raises(RuntimeError, match=r"cannot run on cuda:0: ops? .*'categorical_accuracy'.* no CUDA kernel yet"):
            model.fit(x, y, epochs=1, verbose=0)
    finally:
        core.set_program_device("cpu")
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    assert model.fit(x, y, epochs=1, verbose=0).history["loss"]  # the CPU still trains it


def test_resident_data_fraction_is_checked():
    with pytest.raises(ValueError, match="fraction must be in"):
        config.set_resident_data_fraction(1.5)
    assert config.get_resident_data_fraction() == 0.5


# --- GPU ---------------------------------------------------------------------------------------


@pytest.mark.cuda
@pytest.mark.parametrize("dtype,row", [(np.float32, (5,)), (np.int64, (2, 3)), (np.uint8, (3,)), (np.int16, (1,))])
def test_gather_rows_through_the_device_backend(gpu, dtype, row):
    # 4-byte words where rows allow it, bytes otherwise (uint8 rows of 3, int16 rows of 1)
    src = (np.arange(7 * int(np.prod(row))) % 120).astype(dtype).reshape((7,) + row)
    rows = [6, 0, 3, 3, 1]
    np.testing.assert_array_equal(cuda_backend.load().gather_rows(src, rows), src[rows])


@pytest.mark.cuda
def test_gather_rows_rejects_a_row_outside_the_source(gpu):
    with pytest.raises(ValueError, match="row 4 .* outside src of 4 rows"):
        cuda_backend.load().gather_rows(np.zeros((4, 2), np.float32), [0, 4])


@pytest.mark.cuda
@pytest.mark.parametrize("name", sorted(workloads.WORKLOADS))
def test_bench_workload_fit_history_matches_cpu(gpu, name):
    w = workloads.WORKLOADS[name]
    x, y = w.data(N)
    on_gpu, on_cpu = _twin_models(w.build, w.compile_args)
    kwargs = dict(batch_size=w.batch_size, epochs=EPOCHS, verbose=0, shuffle=True,
                  validation_split=w.validation_split)
    keras.utils.set_random_seed(11)
    h_cpu = on_cpu.fit(x, y, **kwargs)
    keras.utils.set_random_seed(11)
    try:
        h_gpu = _on(gpu, on_gpu.fit, x, y, **kwargs)
    except RuntimeError as e:
        _xfail_if_kernels_missing(e)
    _assert_history_close(h_gpu, h_cpu)
    for a, b in zip(on_gpu.get_weights(), on_cpu.get_weights()):  # copied back after the call
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def _small_model(K):
    # the wide workload's ops (Dense, relu, mse, sgd) at a size that keeps these tests fast
    x = K.Input(shape=(16,), name="x")
    h = K.layers.Dense(32, activation="relu", name="h")(x)
    return K.Model(x, K.layers.Dense(4, name="out")(h))


def _small_pair(n=512):
    r = np.random.default_rng(n)
    x = r.standard_normal((n, 16)).astype(np.float32)
    y = np.tanh(x[:, :4]) + 0.1 * r.standard_normal((n, 4)).astype(np.float32)
    return x, y, _twin_models(_small_model, lambda K: dict(optimizer="sgd", loss="mse"))


@pytest.mark.cuda
def test_evaluate_and_predict_match_cpu(gpu):
    x, y, (on_gpu, on_cpu) = _small_pair()
    np.testing.assert_allclose(_on(gpu, on_gpu.evaluate, x, y, batch_size=100, verbose=0),
                               on_cpu.evaluate(x, y, batch_size=100, verbose=0), rtol=1e-5)
    # 512 rows in batches of 100: the last, smaller batch reuses the plan on the device too
    np.testing.assert_allclose(_on(gpu, on_gpu.predict, x, batch_size=100, verbose=0),
                               on_cpu.predict(x, batch_size=100, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.cuda
def test_train_on_batch_matches_cpu(gpu):
    x, y, (on_gpu, on_cpu) = _small_pair(64)
    for _ in range(3):
        got = _on(gpu, on_gpu.train_on_batch, x, y)
        want = on_cpu.train_on_batch(x, y)
        np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.cuda
def test_set_weights_between_calls_reaches_the_device(gpu):
    x, y, (on_gpu, on_cpu) = _small_pair(128)
    _on(gpu, on_gpu.fit, x, y, epochs=1, verbose=0)  # the GPU programs now exist
    new = [np.full_like(w, 0.01 * (i + 1)) for i, w in enumerate(on_gpu.get_weights())]
    on_gpu.set_weights(new)
    on_cpu.set_weights(new)
    np.testing.assert_allclose(_on(gpu, on_gpu.predict, x, verbose=0), on_cpu.predict(x, verbose=0), rtol=1e-5)


@pytest.mark.cuda
def test_streamed_batches_give_the_same_numbers_as_resident_data(gpu):
    x, y, (a, b) = _small_pair(256)
    keras.utils.set_random_seed(3)
    resident = _on(gpu, a.fit, x, y, epochs=2, batch_size=64, verbose=0)
    config.set_resident_data_fraction(0.0)  # nothing fits: every batch is gathered on the host
    keras.utils.set_random_seed(3)
    streamed = _on(gpu, b.fit, x, y, epochs=2, batch_size=64, verbose=0)
    assert streamed.history == resident.history


@pytest.mark.cuda
@pytest.mark.parametrize("fraction", [0.5, 0.0], ids=["resident", "streamed"])
def test_arrays_needing_conversion_or_packing_match_cpu(gpu, fraction):
    # float64 rows two apart (x[::2]) and int64 labels: converted/packed on the way to the device
    def build(K):
        inp = K.Input((8,))
        return K.Model(inp, K.layers.Dense(3, activation="softmax")(K.layers.Dense(16, activation="tanh")(inp)))

    on_gpu, on_cpu = _twin_models(build, lambda K: dict(optimizer="adam", loss="sparse_categorical_crossentropy"))
    r = np.random.default_rng(2)
    x = r.standard_normal((200, 8))[::2]
    y = r.integers(0, 3, size=100).astype(np.int64)
    config.set_resident_data_fraction(fraction)
    keras.utils.set_random_seed(4)
    h_gpu = _on(gpu, on_gpu.fit, x, y, epochs=2, batch_size=16, verbose=0)
    keras.utils.set_random_seed(4)
    h_cpu = on_cpu.fit(x, y, epochs=2, batch_size=16, verbose=0)
    _assert_history_close(h_gpu, h_cpu)


@pytest.mark.cuda
def test_batch_norm_moving_statistics_come_back_from_the_device(gpu):
    def build(K):
        inp = K.Input((6,))
        h = K.layers.BatchNormalization(name="bn")(K.layers.Dense(8, name="d")(inp))
        return K.Model(inp, K.layers.Dense(1, name="out")(h))

    on_gpu, on_cpu = _twin_models(build, lambda K: dict(optimizer="adam", loss="mse"))
    r = np.random.default_rng(0)
    x, y = r.standard_normal((96, 6)).astype(np.float32), r.standard_normal((96, 1)).astype(np.float32)
    _on(gpu, on_gpu.fit, x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    on_cpu.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    bn_gpu, bn_cpu = on_gpu.get_layer("bn"), on_cpu.get_layer("bn")
    np.testing.assert_allclose(bn_gpu.moving_mean.numpy(), bn_cpu.moving_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn_gpu.moving_variance.numpy(), bn_cpu.moving_variance.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.cuda
def test_dropout_masks_match_the_cpu(gpu):
    def build(K):
        inp = K.Input((32,))
        h = K.layers.Dropout(0.5, seed=5)(K.layers.Dense(64, activation="relu")(inp))
        return K.Model(inp, K.layers.Dense(1)(h))

    on_gpu, on_cpu = _twin_models(build, lambda K: dict(optimizer="sgd", loss="mse"))
    r = np.random.default_rng(1)
    x, y = r.standard_normal((128, 32)).astype(np.float32), r.standard_normal((128, 1)).astype(np.float32)
    h_gpu = _on(gpu, on_gpu.fit, x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    h_cpu = on_cpu.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    _assert_history_close(h_gpu, h_cpu)


@pytest.mark.cuda
def test_trained_on_gpu_saves_and_loads_on_cpu(gpu, tmp_path):
    x, y, (model, _) = _small_pair(128)
    _on(gpu, model.fit, x, y, epochs=1, verbose=0)
    path = str(tmp_path / "gpu.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), _on(gpu, model.predict, x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.cuda
def test_trained_on_cpu_saves_and_loads_on_gpu(gpu, tmp_path):
    x, y, (_, model) = _small_pair(128)
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "cpu.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(_on(gpu, loaded.predict, x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    # and it keeps training on the GPU from the loaded optimizer state, as the CPU does
    h_gpu = _on(gpu, loaded.fit, x, y, epochs=1, shuffle=False, verbose=0)
    h_cpu = keras.models.load_model(path).fit(x, y, epochs=1, shuffle=False, verbose=0)
    _assert_history_close(h_gpu, h_cpu)
