# One benchmark process: one framework (pykerascore, or Keras with one backend), one workload,
# one repetition. Run by compare.py, which sets the thread environment before this starts;
# writes {measure: {"value": v} | {"error": reason}} as JSON to --out. A failing measure is
# recorded and the others still run. Must not compare frameworks or format tables (compare.py).

import argparse
import json
import os
import sys
import time

import numpy as np

from workloads import WORKLOADS

WARMUP_CALLS = 20
QUICK_DIV = 10  # --quick times 10x fewer *_on_batch calls


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--framework", choices=["pykerascore", "keras"], required=True)
    p.add_argument("--backend", choices=["jax", "torch", "tensorflow"], default="jax")
    p.add_argument("--workload", choices=sorted(WORKLOADS), required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--batch-calls", type=int, default=2000, help="timed *_on_batch calls")
    p.add_argument("--weights", required=True, help=".npz of initial weights: written by pykerascore, read by keras")
    p.add_argument("--out", required=True)
    return p.parse_args(argv)


def import_framework(args):
    """Imports the framework and applies the thread count its own way (the env is already set)."""
    if args.framework == "pykerascore":
        import pykerascore as K

        K.config.set_num_threads(args.threads)
        return K, {"pykerascore": K.__version__, "numpy": np.__version__}
    os.environ["KERAS_BACKEND"] = args.backend  # Keras picks its backend once, at import
    import keras as K

    versions = {"keras": K.__version__, "numpy": np.__version__}
    if args.backend == "torch":
        import torch

        torch.set_num_threads(args.threads)
        versions["torch"] = torch.__version__
    elif args.backend == "jax":
        import jax

        versions["jax"] = jax.__version__
    return K, versions


def reason(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:120]


# ---------------------------------------------------------------- initial weights
def transfer_weights(model, path, framework):
    """pykerascore writes its initial weights by layer name; Keras (and later pk runs) load them."""
    if os.path.exists(path):
        saved = np.load(path)
        for layer in model.layers:
            current = layer.get_weights()
            if current:
                layer.set_weights([saved[f"{layer.name}/{i}"] for i in range(len(current))])
        return "pykerascore's initial weights"
    if framework != "pykerascore":
        return "keras's own initial weights (pykerascore wrote none)"
    arrays = {f"{layer.name}/{i}": w for layer in model.layers for i, w in enumerate(layer.get_weights())}
    np.savez(path, **arrays)
    return "pykerascore's initial weights"


# ---------------------------------------------------------------- measures
def epoch_timer(K):
    class EpochTimer(K.callbacks.Callback):
        """Wall-clock stamps of each epoch; reading the loss forces async backends to finish."""

        def __init__(self):
            super().__init__()
            self.begin, self.end = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.begin.append(time.perf_counter())

        def on_epoch_end(self, epoch, logs=None):
            float((logs or {}).get("loss", 0.0))
            self.end.append(time.perf_counter())

    return EpochTimer()


def run_fit(K, model, w, x, y, n):
    """Two epochs: the first includes build and tracing, the second is the timed one."""
    timer = epoch_timer(K)
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=w.batch_size, epochs=2, verbose=0, callbacks=[timer],
                        validation_split=w.validation_split)
    n_train = n - int(n * w.validation_split) if w.validation_split else n
    return {
        "first_epoch": timer.end[0] - start,
        "fit": n_train / (timer.end[1] - timer.begin[1]),
        "final_loss": float(history.history["loss"][-1]),
    }


def timed_twice(fn, n):
    """samples/s of the second call (the first traces and warms caches)."""
    fn()
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def median_latency_us(fn, calls):
    for _ in range(WARMUP_CALLS):
        fn()
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    return float(np.median(times) * 1e6)


PREDICT_MEASURES = ("predict", "predict_on_batch")


def measure(args):
    w = WORKLOADS[args.workload]
    n = w.size(args.quick)
    x, y = w.data(n)
    results = {}

    def record(names, fn):
        names = [m for m in names if m in w.measures and m not in results]  # not failed already
        if not names:
            return
        try:
            values = fn()
            for m in names:
                results[m] = {"value": values[m] if isinstance(values, dict) else values}
        except Exception as exc:  # one missing feature must not hide the other measures
            for m in names:
                results[m] = {"error": reason(exc)}

    K, versions = import_framework(args)
    info = {"versions": versions, "n": n}
    try:
        if hasattr(K, "utils") and hasattr(K.utils, "set_random_seed"):
            K.utils.set_random_seed(1)
        model = w.build(K)
        info["init"] = transfer_weights(model, args.weights, args.framework)
    except Exception as exc:
        return {"info": info, "measures": {m: {"error": reason(exc)} for m in w.measures}}
    try:
        model.compile(**w.compile_args(K))
    except Exception as exc:  # predict needs no compile (D11): still measure it
        results.update({m: {"error": reason(exc)} for m in w.measures if m not in PREDICT_MEASURES})

    xb = {k: v[: w.batch_size] for k, v in x.items()} if isinstance(x, dict) else x[: w.batch_size]
    yb = {k: v[: w.batch_size] for k, v in y.items()} if isinstance(y, dict) else y[: w.batch_size]
    calls = max(args.batch_calls // (QUICK_DIV if args.quick else 1), 50)
    record(["fit", "first_epoch", "final_loss"], lambda: run_fit(K, model, w, x, y, n))
    record(["evaluate"], lambda: timed_twice(lambda: model.evaluate(x, y, batch_size=w.batch_size, verbose=0), n))
    record(["predict"], lambda: timed_twice(lambda: model.predict(x, batch_size=w.batch_size, verbose=0), n))
    record(["train_on_batch"], lambda: median_latency_us(lambda: model.train_on_batch(xb, yb), calls))
    record(["predict_on_batch"], lambda: median_latency_us(lambda: model.predict_on_batch(xb), calls))
    return {"info": info, "measures": results}


def main(argv=None):
    args = parse_args(argv)
    out = measure(args)
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    sys.exit(main())
