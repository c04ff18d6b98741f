"""Ctrl-C during a long native call stops it at a step boundary within ~100 ms; weights stay
consistent and the model keeps working."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import pykerascore as keras


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")
def test_keyboard_interrupt_stops_a_long_native_call_quickly():
    r = np.random.default_rng(0)
    x = r.normal(size=(32 * 20000, 16)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    m = keras.Sequential([keras.Input((16,)), keras.layers.Dense(512, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="mse")
    m.fit(x[:64], y[:64], verbose=0)
    sent = {}
    finished = threading.Event()

    def interrupt():
        time.sleep(0.3)
        if finished.is_set():  # never interrupt pytest itself
            return
        sent["t"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=interrupt)
    t.start()
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            # 20 epochs of one native call each (seconds of work): the signal lands inside a call.
            m.fit(x, y, batch_size=32, epochs=20, verbose=0, steps_per_execution=20000)
    finally:
        finished.set()
    stopped = time.perf_counter()
    t.join()
    assert stopped - start < 30, "the call ran to completion instead of stopping"
    assert stopped - sent["t"] < 0.25, f"took {stopped - sent['t']:.3f}s to stop"
    assert all(np.isfinite(w).all() for w in m.get_weights())
    assert 0 < m.optimizer.iterations < 20 * 20000
    # The model is still usable afterwards.
    assert m.evaluate(x[:64], y[:64], verbose=0) >= 0
