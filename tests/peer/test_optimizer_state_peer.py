"""Optimizer state against real Keras 3: the `optimizer/vars` group of `.weights.h5` has Keras's
layout, `optimizer.variables` Keras's order, and a file saved mid-training by either library
lets the other continue training to the same weights; `summary()` prints Keras's optimizer line."""

import re

import h5py
import numpy as np
import pytest

import pykerascore as pk

RNG = np.random.default_rng(5)
X = RNG.normal(size=(24, 3)).astype("float32")
Y = RNG.normal(size=(24, 2)).astype("float32")


def _model(lib):
    return lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"),
                           lib.layers.BatchNormalization(), lib.layers.Dense(2)])


def _optimizer(lib, which):
    o = lib.optimizers
    return {
        "adam": lambda: o.Adam(learning_rate=0.01),
        "adam_amsgrad_ema": lambda: o.Adam(learning_rate=0.01, amsgrad=True, use_ema=True),
        "sgd_momentum": lambda: o.SGD(learning_rate=0.05, momentum=0.9),
        "sgd_accumulation": lambda: o.SGD(learning_rate=0.05, momentum=0.5, gradient_accumulation_steps=2),
        "rmsprop_centered": lambda: o.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
        "adagrad": lambda: o.Adagrad(learning_rate=0.05),
        "adadelta": lambda: o.Adadelta(learning_rate=0.5),
        "adamax": lambda: o.Adamax(learning_rate=0.01),
        "nadam": lambda: o.Nadam(learning_rate=0.01),
        "ftrl": lambda: o.Ftrl(learning_rate=0.05),
        "lion": lambda: o.Lion(learning_rate=0.001),
        "adamw_schedule": lambda: o.AdamW(learning_rate=o.schedules.ExponentialDecay(0.01, 3, 0.5)),
        "loss_scale": lambda: o.LossScaleOptimizer(o.SGD(learning_rate=0.05, momentum=0.5), initial_scale=8.0,
                                                   dynamic_growth_steps=2),
    }[which]()


OPTIMIZERS = ["adam", "adam_amsgrad_ema", "sgd_momentum", "sgd_accumulation", "rmsprop_centered", "adagrad",
              "adadelta", "adamax", "nadam", "ftrl", "lion", "adamw_schedule", "loss_scale"]


def _compiled(lib, which, weights=None):
    model = _model(lib)
    model.compile(_optimizer(lib, which), "mse")
    if weights is not None:
        model.set_weights(weights)
    return model


def _fit(model, epochs=1):
    model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)


def _tree(path):
    out = {}
    with h5py.File(path, "r") as f:
        f["optimizer"].visititems(lambda name, obj: out.__setitem__(
            name, dict(obj.attrs) if isinstance(obj, h5py.Group) else (obj.shape, str(obj.dtype))))
    return out


def _start_weights():
    return [RNG.normal(size=s).astype("float32") * 0.5 for s in [(3, 4), (4,), (4,), (4,), (4,), (4,), (4, 2), (2,)]]


def _canon(name):
    """A state variable's name without per-session numbering and Keras's model-name prefix
    (Keras paths a Sequential's variables under the model; ours start at the layer)."""
    return re.sub(r"_\d+", "", name).removeprefix("sequential_")


@pytest.mark.parametrize("which", OPTIMIZERS)
def test_state_after_one_epoch_matches_keras(real_keras, tmp_path, which):
    """Same layout of `optimizer/vars` in the file, same `variables` (order, names, shapes,
    dtypes) and the same values after one epoch from the same weights."""
    w = _start_weights()
    theirs, ours = _compiled(real_keras, which, w), _compiled(pk, which, w)
    _fit(theirs)
    _fit(ours)
    theirs.save_weights(str(tmp_path / "theirs.weights.h5"))
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    # Keras numbers optimizer names per session (adam_3): compare groups without their names.
    want, got = _tree(tmp_path / "theirs.weights.h5"), _tree(tmp_path / "ours.weights.h5")
    assert {k: ({} if isinstance(v, dict) else v) for k, v in got.items()} == {
        k: ({} if isinstance(v, dict) else v) for k, v in want.items()}
    want = [(_canon(v.name), tuple(v.shape), str(v.dtype)) for v in theirs.optimizer.variables]
    got = [(_canon(v.name), tuple(v.shape), str(v.dtype)) for v in ours.optimizer.variables]
    assert got == want
    for a, b in zip(ours.optimizer.variables, theirs.optimizer.variables):
        np.testing.assert_allclose(np.asarray(a.numpy(), "float64"), np.asarray(b.numpy(), "float64"),
                                   rtol=2e-4, atol=1e-6, err_msg=b.path)


def _continue_from(path, real_keras, which):
    """A fresh Keras model and a fresh pykerascore model load `path` and train one more epoch;
    both must land on the same weights (a fresh Keras model, not the writer: Keras 3.15 on JAX
    cannot call fit() a second time on a model with `use_ema`)."""
    theirs = _compiled(real_keras, which)
    theirs.optimizer.build(theirs.trainable_variables)  # Keras restores only a built optimizer
    theirs.load_weights(path)
    ours = _compiled(pk, which)
    ours.load_weights(path)  # builds the optimizer itself
    assert int(ours.optimizer.iterations) == int(theirs.optimizer.iterations) > 0
    _fit(theirs)
    _fit(ours)
    for a, b in zip(theirs.get_weights(), ours.get_weights()):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-4, atol=1e-5)


# Each kind of state: rule slots, AMSGrad + EMA, accumulators, scalars (Nadam), schedules, loss scale.
CONTINUED = ["adam_amsgrad_ema", "sgd_accumulation", "rmsprop_centered", "nadam", "ftrl", "adamw_schedule",
             "loss_scale"]


@pytest.mark.parametrize("which", CONTINUED)
def test_keras_checkpoint_continues_here_as_in_keras(real_keras, tmp_path, which):
    writer = _compiled(real_keras, which, _start_weights())
    _fit(writer, epochs=2)
    path = str(tmp_path / "theirs.weights.h5")
    writer.save_weights(path)
    _continue_from(path, real_keras, which)


@pytest.mark.parametrize("which", CONTINUED)
def test_our_checkpoint_continues_in_keras_as_here(real_keras, tmp_path, which):
    writer = _compiled(pk, which, _start_weights())
    _fit(writer, epochs=2)
    path = str(tmp_path / "ours.weights.h5")
    writer.save_weights(path)
    _continue_from(path, real_keras, which)


def test_loading_without_optimizer_state_warns_as_keras(real_keras, tmp_path):
    path = str(tmp_path / "plain.weights.h5")
    _model(real_keras).save_weights(path)
    messages = []
    for lib in (real_keras, pk):
        model = _compiled(lib, "adam")
        _fit(model)
        with pytest.warns(UserWarning, match="Skipping variable loading for optimizer") as record:
            model.load_weights(path)
        messages.append([str(r.message).replace(model.optimizer.name, "NAME") for r in record
                         if "Skipping" in str(r.message)])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("which", ["adam", "sgd_momentum", "loss_scale"])
def test_summary_optimizer_line_matches_keras(real_keras, monkeypatch, which):
    monkeypatch.setenv("COLUMNS", "80")
    out = []
    for lib in (real_keras, pk):
        model = _compiled(lib, which, _start_weights())
        _fit(model)
        lines = []
        model.summary(print_fn=lines.append)
        out.append([line for line in "\n".join(lines).splitlines() if "params" in line])
    assert out[1] == out[0]
    assert any("Optimizer params" in line for line in out[1])
