# One benchmark process: one framework (pykerascore, or Keras with one backend), one workload,
# one repetition. Run by compare.py, which sets the thread environment before this starts;
# writes {measure: {"value": v} | {"error": reason}} as JSON to --out. A failing measure is
# recorded and the others still run. Must not compare frameworks or format tables (compare.py).

import argparse
import gc
import json
import os
import sys
import time

import numpy as np

from workloads import WORKLOADS

WARMUP_CALLS = 20
TIMED_EPOCHS = 3  # fit: median epoch time of epochs 2..4
TIMED_CALLS = 3  # evaluate / predict: median of 3 calls after a warm-up call
QUICK_DIV = 10  # --quick times 10x fewer *_on_batch calls


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--framework", choices=["pykerascore", "keras", "sgemm"], required=True,
                   help="sgemm: scipy_cblas_sgemm alone on the workload's training-step GEMMs")
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
    elif args.backend == "tensorflow":
        import tensorflow

        versions["tensorflow"] = tensorflow.__version__
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
    """1 + TIMED_EPOCHS epochs: the first includes build and tracing; the fit rate is the median
    of the others (one scheduler hiccup on a shared machine cannot make it)."""
    timer = epoch_timer(K)
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=w.batch_size, epochs=1 + TIMED_EPOCHS, verbose=0, callbacks=[timer],
                        validation_split=w.validation_split)
    n_train = n - int(n * w.validation_split) if w.validation_split else n
    epoch_s = [e - b for b, e in zip(timer.begin[1:], timer.end[1:])]
    return {
        "first_epoch": timer.end[0] - start,
        "fit": n_train / float(np.median(epoch_s)),
        "final_loss": float(history.history["loss"][1]),  # epoch 2
    }


def timed_calls(fn, n):
    """samples/s: median of TIMED_CALLS calls after one untimed call (which traces and warms caches)."""
    fn()
    times = []
    for _ in range(TIMED_CALLS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return n / float(np.median(times))


def median_latency_us(fn, calls):
    for _ in range(WARMUP_CALLS):
        fn()
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    return float(np.median(times) * 1e6)


# ---------------------------------------------------------------- memory
def proc_status_kb(field):
    """VmRSS / VmHWM of this process in kB (Linux), None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Makes VmHWM start again from the current RSS (Linux >= 4.0), so data generation's
    temporaries do not count as the fit's peak. Returns False where that is not possible."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb(fit):
    """Peak RSS of the whole process (interpreter, framework, data) while `fit` runs."""
    if not reset_peak_rss():
        raise RuntimeError("cannot reset the peak RSS (/proc/self/clear_refs): not Linux?")
    fit()
    return proc_status_kb("VmHWM") / 1024.0


def memory_budget_mb(w, model, x, y):
    """1.2 x (dataset + parameters + optimizer slots) + 60 MB, the issue's bound on peak RSS."""
    data = sum(a.nbytes for a in (list(x.values()) + list(y.values()) if isinstance(x, dict) else [x, y]))
    params = sum(np.asarray(v).nbytes for v in model.get_weights())
    return (1.2 * (data + params * (1 + w.optimizer_slots)) + 60 * 2**20) / 2**20


def rss_growth_percent(fit, predict, calls=100):
    """RSS growth from after the first fit+predict to after the `calls`-th, in % of the first."""
    fit()
    predict()
    first = proc_status_kb("VmRSS")
    for _ in range(calls - 1):
        fit()
        predict()
    return 100.0 * (proc_status_kb("VmRSS") - first) / first


# ---------------------------------------------------------------- same numbers
LOSS_MATCH_ROWS = 4096


def loss_match(K, w, x, y, weights, framework):
    """Loss of one unshuffled epoch over the first rows, from the shared initial weights: every
    framework sees the same batches in the same order, so the losses must agree closely."""
    rows = min(LOSS_MATCH_ROWS, len(x["a"]) if isinstance(x, dict) else len(x))
    cut = lambda s: {k: v[:rows] for k, v in s.items()} if isinstance(s, dict) else s[:rows]  # noqa: E731
    model = w.build(K)
    transfer_weights(model, weights, framework)
    model.compile(**w.compile_args(K))
    history = model.fit(cut(x), cut(y), batch_size=w.batch_size, epochs=1, verbose=0, shuffle=False,
                        validation_split=w.validation_split)
    return float(history.history["loss"][-1])


# ---------------------------------------------------------------- sgemm alone
def sgemm_gflops(gemms, threads, quick):
    """GFLOP/s of scipy_cblas_sgemm alone on a GEMM sequence (ctypes, row-major, the engine's
    shapes and transposes): the ceiling for a step's GEMM work."""
    import ctypes

    import scipy_openblas32

    lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(), scipy_openblas32.get_library(fullname=True)))
    lib.scipy_openblas_set_num_threads(ctypes.c_int(threads))
    fp = ctypes.POINTER(ctypes.c_float)
    sgemm = lib.scipy_cblas_sgemm
    sgemm.restype = None
    sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, fp, ctypes.c_int, fp, ctypes.c_int, ctypes.c_float, fp,
                                           ctypes.c_int]
    row_major, no_t, t = 101, 111, 112
    rng = np.random.default_rng(0)
    calls, flops = [], 0
    for ta, tb, m, n, k in gemms:
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        c = np.zeros((m, n), np.float32)
        calls.append(((row_major, t if ta else no_t, t if tb else no_t, m, n, k, 1.0, a.ctypes.data_as(fp),
                       a.shape[1], b.ctypes.data_as(fp), b.shape[1], 0.0, c.ctypes.data_as(fp), n), (a, b, c)))
        flops += 2 * m * n * k

    def step():
        for call, _ in calls:
            sgemm(*call)

    for _ in range(3):
        step()
    rates, budget = [], 0.5 if quick else 2.0
    start = time.perf_counter()
    while time.perf_counter() - start < budget or len(rates) < 5:
        t0 = time.perf_counter()
        step()
        rates.append(flops / (time.perf_counter() - t0) / 1e9)
    return float(np.median(rates))


PREDICT_MEASURES = ("predict", "predict_on_batch")


def measure(args):
    w = WORKLOADS[args.workload]
    if args.framework == "sgemm":
        return {"info": {"versions": {}}, "measures": {
            "sgemm": {"value": sgemm_gflops(w.gemms(w.batch_size), args.threads, args.quick)},
            "sgemm_forward": {"value": sgemm_gflops(w.forward_gemms(w.batch_size), args.threads, args.quick)}}}
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
    if "peak_rss" in w.measures:  # the peak is the fit's: measured around the timed fit itself
        fit_values = {}
        record(["peak_rss"], lambda: peak_rss_mb(lambda: fit_values.update(run_fit(K, model, w, x, y, n))))
        results.update({m: {"value": v} for m, v in fit_values.items() if m in w.measures})
        info["rss_budget_mb"] = memory_budget_mb(w, model, x, y)
    record(["fit", "first_epoch", "final_loss"], lambda: run_fit(K, model, w, x, y, n))
    record(["evaluate"], lambda: timed_calls(lambda: model.evaluate(x, y, batch_size=w.batch_size, verbose=0), n))
    record(["predict"], lambda: timed_calls(lambda: model.predict(x, batch_size=w.batch_size, verbose=0), n))
    record(["train_on_batch"], lambda: median_latency_us(lambda: model.train_on_batch(xb, yb), calls))
    record(["predict_on_batch"], lambda: median_latency_us(lambda: model.predict_on_batch(xb), calls))
    small = 4 * w.batch_size  # growth per call, not per step: 100 calls must stay quick for every framework
    xs = {k: v[:small] for k, v in x.items()} if isinstance(x, dict) else x[:small]
    ys = {k: v[:small] for k, v in y.items()} if isinstance(y, dict) else y[:small]
    record(["rss_growth"], lambda: rss_growth_percent(
        lambda: model.fit(xs, ys, batch_size=w.batch_size, epochs=1, verbose=0),
        lambda: model.predict(xs, batch_size=w.batch_size, verbose=0)))
    record(["loss_match"], lambda: loss_match(K, w, x, y, args.weights, args.framework))
    return {"info": info, "measures": results}


def main(argv=None):
    args = parse_args(argv)
    out = measure(args)
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    sys.exit(main())
