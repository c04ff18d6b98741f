"""One train / test / predict step with `call()` run in Python on concrete values (run_eagerly).

Same inputs, loss, metric objects and optimizer as a compiled program (program_builder), so the
numbers match; only the execution differs: ops run one at a time on a tape (backend/eager.py)
and the optimizer is applied to the model's parameter pack from Python. Knows nothing of
epochs, callbacks or data adapters: the loops call these once per batch.
"""

import numpy as np

from pykerascore.backend import programs, symbolic
from pykerascore.backend.eager import Tape
from pykerascore.trainers import program_builder
from pykerascore.utils import tree


def _inputs(model, tape, x):
    """x as EagerTensors in the structure the model's call expects (as program_builder traces it)."""
    x_list = [np.asarray(a) for a in tree.flatten(x)]
    x_list, input_info = program_builder.match_inputs(model, x_list, x)
    xs = [tape.input(np.asarray(a, dtype=dtype), name) for a, (dtype, name) in zip(x_list, input_info)]
    struct = getattr(model, "_inputs_struct", None)
    if isinstance(struct, dict):
        return xs, dict(zip(struct.keys(), xs))
    return xs, xs[0] if len(xs) == 1 else xs


def _targets(tape, y, sample_weight):
    ys = [np.asarray(a) for a in tree.flatten(y)] if y is not None else []
    if len(ys) != 1:
        raise ValueError("Only single-output models with one target array are supported so far")
    y_true = tape.input(np.asarray(ys[0], dtype="float32"), "y_true")
    sw = None if sample_weight is None else tape.input(np.asarray(sample_weight, dtype="float32"), "sample_weight")
    return y_true, sw


def _forward_and_update(model, tape, x, y, sample_weight, training):
    """Runs call(), the compiled loss, the loss tracker and the metrics on the tape; returns the loss."""
    xs, inputs = _inputs(model, tape, x)
    y_true, sw = _targets(tape, y, sample_weight)
    with tape.active(), symbolic.fusion(model._jit_compile is not False):
        y_pred = model._call_traced(inputs, [], {"training": training})
        outputs = tree.flatten(y_pred)
        if len(outputs) != 1:
            raise ValueError("Only single-output models with one target array are supported so far")
        loss = model._compile_loss.build(y_true, outputs[0], sw)
        model._loss_tracker.update_state(loss, sample_weight=programs.batch_size_of(xs[0]))
        model._compile_metrics.build(y_true, outputs[0], sw)
    return loss


def train_step(model, x, y, sample_weight=None):
    """One optimizer step on one batch; updates model.metrics in place."""
    optimizer = model.optimizer._native
    tape = Tape(step=optimizer.iterations)  # dropout masks key on the step, as in a program
    loss = _forward_and_update(model, tape, x, y, sample_weight, training=True)
    weights = model.trainable_weights
    pack = program_builder.param_pack(model)
    # Seeded by the loss scale like a program's backward; the optimizer unscales.
    grads = tape.gradients(loss, weights, seed=optimizer.loss_scale, fuse=model._jit_compile is not False)
    if weights and all(g is None for g in grads):
        raise ValueError(
            f"No gradients for any variable of model '{model.name}': the loss does not depend on its trainable weights.")
    flat = np.zeros(pack.size, dtype="float32")
    for i, (v, g) in enumerate(zip(weights, grads)):
        if g is not None:
            off = pack.offset(i)
            flat[off:off + g.size] = np.asarray(g, dtype="float32").ravel()
    optimizer.apply_gradients(pack, flat)


def test_step(model, x, y, sample_weight=None):
    """The loss and metrics of one batch (inference mode); updates model.metrics in place."""
    _forward_and_update(model, Tape(), x, y, sample_weight, training=False)


def predict_step(model, x):
    """The model's outputs on one batch, as NumPy arrays in the model's output structure."""
    tape = Tape()
    _, inputs = _inputs(model, tape, x)
    with tape.active(), symbolic.fusion(model._jit_compile is not False):
        y_pred = model._call_traced(inputs, [], {"training": False})
    return tree.map_structure(lambda t: np.asarray(t), y_pred)
