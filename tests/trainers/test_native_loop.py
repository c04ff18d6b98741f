"""The step loop is native: almost no Python per batch, and the GIL is released."""

import sys
import threading
import time

import numpy as np

import pykerascore as keras


def _model_and_data(n, width=32):
    r = np.random.default_rng(0)
    x = r.normal(size=(n, 16)).astype("float32")
    y = (x.sum(1, keepdims=True) > 0).astype("float32")
    m = keras.Sequential([keras.Input((16,)), keras.layers.Dense(width, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="mse", metrics=["accuracy"], steps_per_execution=64)
    return m, x, y


def test_fewer_than_two_python_calls_per_batch():
    m, x, y = _model_and_data(32 * 2048)
    m.fit(x, y, batch_size=32, epochs=1, verbose=0)  # warm-up: traces and compiles once
    calls = [0]

    def prof(frame, event, arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(prof)
    try:
        m.fit(x, y, batch_size=32, epochs=1, verbose=0, steps_per_execution=64)
    finally:
        sys.setprofile(None)
    batches = 2048
    assert calls[0] < 2 * batches, f"{calls[0]} Python calls for {batches} batches"


def test_python_thread_runs_while_fit_runs():
    m, x, y = _model_and_data(32 * 4096, width=256)
    steps = 4096
    m.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=spin)
    # Baseline rate with the main thread idle.
    t.start()
    time.sleep(0.2)
    base = counter[0] / 0.2
    start_count, t0 = counter[0], time.perf_counter()
    m.fit(x, y, batch_size=32, epochs=1, verbose=0, steps_per_execution=steps)  # one native call
    elapsed = time.perf_counter() - t0
    during = counter[0] - start_count
    stop.set()
    t.join()
    assert elapsed > 0.05
    # With the GIL held for the whole call the thread would make ~no progress.
    assert during > 0.25 * base * elapsed, f"thread made {during} steps in {elapsed:.3f}s (baseline {base:.0f}/s)"


class _CountBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def on_train_batch_end(self, batch, logs=None):
        self.calls += 1


def test_epoch_runs_as_one_native_call_when_no_batch_hook_is_overridden():
    m, x, y = _model_and_data(32 * 64)
    m.compile(optimizer="adam", loss="mse")  # steps_per_execution=1
    calls = [0]
    prog_run = []

    def prof(frame, event, arg):
        if event == "c_call" and getattr(arg, "__name__", "") == "run":
            calls[0] += 1

    m.fit(x, y, batch_size=32, epochs=1, verbose=0)
    sys.setprofile(prof)
    try:
        m.fit(x, y, batch_size=32, epochs=1, verbose=0)
    finally:
        sys.setprofile(None)
    assert calls[0] == 1, f"{calls[0]} native run calls for one epoch"


def test_batch_hooks_still_fire_every_step_when_overridden():
    m, x, y = _model_and_data(32 * 10)
    m.compile(optimizer="adam", loss="mse")
    cb = _CountBatches()
    m.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    assert cb.calls == 10


def test_whole_epoch_call_gives_the_same_weights():
    def run(callbacks):
        keras.utils.set_random_seed(4)
        m, x, y = _model_and_data(32 * 20)
        m.compile(optimizer="adam", loss="mse")
        m.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=callbacks)
        return m.get_weights()

    for a, b in zip(run([]), run([_CountBatches()])):
        np.testing.assert_array_equal(a, b)
