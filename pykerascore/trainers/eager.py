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


def _forward_and_update(model, tape, x, y, sample_weight, training, class_weight=None):
    """Runs call(), the compiled loss, the loss trackers and the metrics on the tape (the same
    program_builder.loss_and_metrics as a compiled program); returns the loss."""
    xs, inputs = _inputs(model, tape, x)
    y_flat = [np.asarray(a) for a in tree.flatten(y)] if y is not None else []
    spec = program_builder.DataSpec([], y_flat, sample_weight, y_struct=y, class_weight=class_weight)

    def make_input(kind, key, shape, name):
        arr = y_flat[key] if kind == "y" else (sample_weight if key == "all" else sample_weight[key])
        return tape.input(np.asarray(arr, dtype="float32"), name)

    with tape.active(), symbolic.fusion(model._jit_compile is not False):
        y_pred = model._call_traced(inputs, [], {"training": training})
        loss, _, _ = program_builder.loss_and_metrics(model, y_pred, spec, make_input, programs.batch_size_of(xs[0]))
    return loss


def train_step(model, x, y, sample_weight=None, class_weight=None):
    """One optimizer step on one batch; updates model.metrics in place."""
    optimizer = model.optimizer._native
    tape = Tape(step=optimizer.iterations)  # dropout masks key on the step, as in a program
    loss = _forward_and_update(model, tape, x, y, sample_weight, training=True, class_weight=class_weight)
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
