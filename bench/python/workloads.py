# The benchmark workloads: seeded synthetic data, the model, compile and fit arguments.
# Written once against the Keras API and called with either `pykerascore` or `keras` as `K`,
# so both frameworks run literally the same script. Must not import either framework itself
# (the worker picks one per process) nor time anything (worker.py does).

import numpy as np

SEED = 1234
QUICK_SCALE = 8  # --quick divides every N by this


class Workload:
    def __init__(self, name, n, batch_size, data, build, compile_args, measures, validation_split=0.0,
                 dense_layers=None, optimizer_slots=0):
        self.name = name
        self.n = n
        self.batch_size = batch_size
        self.data = data  # n -> (x, y), NumPy, identical in every process
        self.build = build  # K -> model with named layers (weights are copied by layer name)
        self.compile_args = compile_args  # K -> kwargs of compile()
        self.measures = measures
        self.validation_split = validation_split
        # (inputs, units) of each Dense layer in order, for the GEMM-efficiency figures; None
        # where the model is too small for GEMM efficiency to mean anything
        self.dense_layers = dense_layers
        self.optimizer_slots = optimizer_slots  # per-parameter slot arrays (Adam: m and v) for the memory budget

    def size(self, quick):
        return self.n // QUICK_SCALE if quick else self.n

    def gemms(self, batch):
        """The GEMMs of one training step as the engine issues them, row-major
        (trans_a, trans_b, M, N, K): forward x @ W, weight gradient x^T @ dz and, except for the
        first layer (nothing needs the gradient of the data), input gradient dz @ W^T."""
        out = []
        for i, (k, n) in enumerate(self.dense_layers or []):
            out.append((False, False, batch, n, k))
            out.append((True, False, k, n, batch))
            if i > 0:
                out.append((False, True, batch, k, n))
        return out

    def forward_gemms(self, batch):
        """The GEMMs of one evaluate / predict step: the forward products only."""
        return [g for g in self.gemms(batch) if not g[0] and not g[1]]

    def train_flops_per_sample(self):
        """True FLOPs of one sample's training step in GEMMs (2 per multiply-add)."""
        return sum(2 * m * n * k for _, _, m, n, k in self.gemms(1))

    def forward_flops_per_sample(self):
        return sum(2 * m * n * k for _, _, m, n, k in self.forward_gemms(1))


def _rng(tag):
    # one stream per workload, so adding a workload never changes another's data
    return np.random.default_rng([SEED, sum(map(ord, tag))])


def _normal(r, shape):
    return r.standard_normal(shape, dtype=np.float32)


# ---------------------------------------------------------------- data
def tiny_data(n):
    r = _rng("tiny")
    x = _normal(r, (n, 16))
    score = x @ _normal(r, (16,)) + 0.5 * _normal(r, (n,))
    # reshape, not [:, None]: pykerascore's binding rejects the 0 stride numpy gives a new axis
    return x, (score > 0).astype(np.float32).reshape(-1, 1)


def mlp_data(n):
    r = _rng("mlp")
    x = r.random((n, 784), dtype=np.float32)
    # einsum, not @: NumPy's BLAS would keep ~65 MB of packing buffers resident, which the peak
    # RSS measured during fit would then charge to the framework under test
    logits = np.einsum("nk,kc->nc", x - 0.5, _normal(r, (784, 10)), optimize=False) + _normal(r, (n, 10))
    return x, logits.argmax(axis=1).astype(np.int32)


def wide_data(n):
    r = _rng("wide")
    x = _normal(r, (n, 1024))
    y = np.tanh(x @ (_normal(r, (1024, 1024)) / 32.0)) + 0.1 * _normal(r, (n, 1024))
    return x, y.astype(np.float32)


def multiio_data(n):
    r = _rng("multiio")
    a, b = _normal(r, (n, 32)), _normal(r, (n, 16))
    cls = (a[:, :4].sum(axis=1) - b[:, :2].sum(axis=1) + 0.5 * _normal(r, (n,)) > 0).astype(np.float32).reshape(-1, 1)
    reg = 0.5 * np.concatenate([a[:, :2], b[:, :2]], axis=1) + 0.1 * _normal(r, (n, 4))
    return {"a": a, "b": b}, {"cls": cls, "reg": reg.astype(np.float32)}


# ---------------------------------------------------------------- models
def tiny_model(K):
    x = K.Input(shape=(16,), name="x")
    h = K.layers.Dense(32, activation="relu", name="hidden")(x)
    return K.Model(x, K.layers.Dense(1, activation="sigmoid", name="out")(h), name="tiny")


def mlp_model(K):
    x = K.Input(shape=(784,), name="x")
    h = K.layers.Dense(512, activation="relu", name="h1")(x)
    h = K.layers.Dense(512, activation="relu", name="h2")(h)
    return K.Model(x, K.layers.Dense(10, activation="softmax", name="out")(h), name="mlp")


def wide_model(K):
    x = K.Input(shape=(1024,), name="x")
    h = K.layers.Dense(4096, activation="relu", name="h")(x)
    return K.Model(x, K.layers.Dense(1024, name="out")(h), name="wide")


def multiio_model(K):
    a, b = K.Input(shape=(32,), name="a"), K.Input(shape=(16,), name="b")
    h = K.layers.Concatenate(name="concat")([a, b])
    h = K.layers.Dense(64, activation="relu", name="hidden")(h)
    outputs = {"cls": K.layers.Dense(1, activation="sigmoid", name="cls")(h), "reg": K.layers.Dense(4, name="reg")(h)}
    return K.Model({"a": a, "b": b}, outputs, name="multiio")


# ---------------------------------------------------------------- compile arguments
def _binary(spe):
    return lambda K: dict(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=spe)


def _mlp_compile(K):
    return dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _wide_compile(K):
    return dict(optimizer="sgd", loss="mse")


def _multiio_compile(K):
    return dict(optimizer="adam", loss={"cls": "binary_crossentropy", "reg": "mse"},
                loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"]})


ARRAY_MEASURES = ["fit", "evaluate", "predict", "final_loss", "loss_match"]
TINY_MEASURES = ARRAY_MEASURES + ["train_on_batch", "predict_on_batch", "first_epoch", "rss_growth"]

WORKLOADS = {
    w.name: w
    for w in [
        Workload("tiny", 65536, 32, tiny_data, tiny_model, _binary(1), TINY_MEASURES),
        Workload("tiny_spe32", 65536, 32, tiny_data, tiny_model, _binary(32), ARRAY_MEASURES),
        Workload("mlp", 60000, 128, mlp_data, mlp_model, _mlp_compile, ARRAY_MEASURES + ["peak_rss"],
                 dense_layers=[(784, 512), (512, 512), (512, 10)], optimizer_slots=2),
        Workload("wide", 16384, 256, wide_data, wide_model, _wide_compile, ARRAY_MEASURES,
                 dense_layers=[(1024, 4096), (4096, 1024)]),
        Workload("multiio", 32768, 64, multiio_data, multiio_model, _multiio_compile, ARRAY_MEASURES,
                 validation_split=0.2),
    ]
}
