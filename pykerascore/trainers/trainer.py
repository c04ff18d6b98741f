"""Trainer: compile / fit / evaluate / predict for every model kind -- one loop.

Arguments owned here: epochs, steps_per_execution, validation, callbacks. Each call builds
(once per mode, input signature and batch size) a native program from a trace of the model
plus its loss and metrics, then hands whole arrays to it: the engine runs
`steps_per_execution` steps per call with the GIL released; Python only runs callbacks and
the progress bar between executions.
"""

import sys

import numpy as np

from pykerascore import metrics as metrics_module
from pykerascore import optimizers as optimizers_module
from pykerascore.trainers import program_builder
from pykerascore.callbacks import CallbackList
from pykerascore.trainers import compile_utils
from pykerascore.trainers.compile_utils import CompileLoss, CompileMetrics
from pykerascore.trainers.data_adapters import get_data_adapter
from pykerascore.utils import rng, tree


class UncompiledModelError(RuntimeError, ValueError):
    """Raised when training or evaluating a model before `compile()` (both types, per D11)."""


class Trainer:
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._programs = {}
        self._pack = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._sample_weight_mode = None
        self.steps_per_execution = 1
        self._run_eagerly = False
        self._jit_compile = "auto"

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True,
                pss_evaluation_shards=0, **kwargs):
        sample_weight_mode = _check_compile_kwargs(kwargs)
        del pss_evaluation_shards  # Keras 2 parameter-server evaluation sharding: no such strategy here
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._sample_weight_mode = sample_weight_mode
        names = list(getattr(self, "output_names", None) or [])
        if names and self._compile_loss is not None:
            compile_utils.standardize(self, names)  # argument errors now; per-output names known
        self.steps_per_execution = _check_spe(steps_per_execution)
        self._run_eagerly = bool(run_eagerly)
        if jit_compile not in ("auto", True, False):
            raise ValueError(f"`jit_compile` must be 'auto', True or False. Received: jit_compile={jit_compile}")
        self._jit_compile = jit_compile
        self._programs = {}
        self._pack = None
        self.compiled = True

    @property
    def jit_compile(self):
        return self._jit_compile

    @jit_compile.setter
    def jit_compile(self, value):
        self._jit_compile = value
        self._programs = {}

    @property
    def run_eagerly(self):
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)

    @property
    def metrics(self):
        """Loss tracker, per-output loss trackers, then compiled metrics: the order of
        metrics_names, evaluate() and the logs (D1, D13)."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_loss is not None:
            out.extend(self._compile_loss.trackers)
        if self._compile_metrics is not None:
            out.extend(self._compile_metrics.all)
        return out

    @property
    def metrics_names(self):
        """Display labels of the scalar results, in evaluate() order (D1)."""
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def _assert_compiled(self, method):
        if not self.compiled:
            raise UncompiledModelError(
                f"You must call `compile()` before using the model for `{method}()`: "
                "the model has no loss and optimizer yet."
            )
        if self._compile_loss is None:
            raise ValueError(f"`{method}()` needs a loss: call `compile(loss=...)` first.")

    # ------------------------------------------------------------------ programs
    def _program(self, mode, adapter, batch_size, class_weight=None):
        """The compiled program for this data (built once per signature) and the x list in
        model-input order."""
        x, input_info = program_builder.match_inputs(self, adapter.x, adapter.x_struct)
        adapter.x = x
        y = adapter.y if mode != "predict" else ()
        sw = adapter.sample_weight if mode != "predict" else None
        spec = program_builder.DataSpec(x, y, sw, y_struct=getattr(adapter, "y_struct", None), class_weight=class_weight)
        prog = program_builder.get_program(self, mode, spec, input_info, batch_size)
        prog.bind(x, y, sw)
        return prog

    def _logs(self):
        """{label: value} in metrics_names order (D13)."""
        return {m.name: m.result() for m in self.metrics}

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
            steps_per_execution=None):
        self._assert_compiled("fit")
        batch_size = _check_batch_size(batch_size)
        spe = _check_spe(steps_per_execution) if steps_per_execution is not None else self.steps_per_execution
        verbose = _resolve_verbose(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = _split(x, y, sample_weight, validation_split)
        adapter = get_data_adapter(x, y, sample_weight=sample_weight, batch_size=batch_size, shuffle=shuffle)
        prog = self._program("train", adapter, batch_size, class_weight)
        steps = prog.steps_per_epoch if steps_per_epoch is None else min(int(steps_per_epoch), prog.steps_per_epoch)
        shuffle_mode = "batch" if shuffle == "batch" else ("full" if shuffle else "none")
        seed = rng.draw_seed()

        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=epochs, steps=steps)
        self.stop_training = False
        cbs.on_train_begin()
        logs = {}
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                prog.begin_epoch(shuffle_mode, seed, epoch)
                step = 0
                while step < steps and not self.stop_training:
                    n = min(spe, steps - step)
                    cbs.on_train_batch_begin(step)
                    step += prog.run(step, n)
                    logs = self._logs()
                    cbs.on_train_batch_end(step - 1, logs)
                epoch_logs = dict(logs)
                if validation_data is not None and _should_validate(epoch, validation_freq):
                    vx, vy, vsw = _unpack(validation_data)
                    val = self.evaluate(vx, vy, sample_weight=vsw, batch_size=validation_batch_size or batch_size,
                                        verbose=0, return_dict=True, _from_fit=True)
                    epoch_logs.update({"val_" + k: v for k, v in val.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                logs = epoch_logs
                if self.stop_training:
                    break
        finally:
            prog.release()
        if epochs > initial_epoch and hasattr(self.optimizer, "finalize_variable_values"):
            self.optimizer.finalize_variable_values(self.trainable_weights)  # EMA weights, as Keras
        cbs.on_train_end(logs)
        return self.history

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, _from_fit=False, **kwargs):
        self._assert_compiled("evaluate")
        batch_size = _check_batch_size(batch_size)
        verbose = _resolve_verbose(verbose)
        adapter = get_data_adapter(x, y, sample_weight=sample_weight, batch_size=batch_size)
        prog = self._program("test", adapter, batch_size)
        total = prog.steps_per_epoch if steps is None else min(int(steps), prog.steps_per_epoch)
        cbs = None
        if not _from_fit:
            cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=total)
            cbs.on_test_begin()
        self.reset_metrics()
        prog.begin_epoch("none", 0, 0)
        step, logs = 0, {}
        try:
            while step < total:
                n = min(self.steps_per_execution, total - step)
                if cbs:
                    cbs.on_test_batch_begin(step)
                step += prog.run(step, n)
                logs = self._logs()
                if cbs:
                    cbs.on_test_batch_end(step - 1, logs)
        finally:
            prog.release()
        logs = self._logs()
        if cbs:
            cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        batch_size = _check_batch_size(batch_size)
        verbose = _resolve_verbose(verbose)
        adapter = get_data_adapter(x, batch_size=batch_size)
        prog = self._program("predict", adapter, batch_size)
        struct = prog.output_struct
        n = adapter.num_samples
        outs = [np.empty((n,) + tuple(t.shape[1:]), dtype=t.dtype) for t in tree.flatten(struct)]
        prog.bind_outputs(outs)
        total = prog.steps_per_epoch if steps is None else min(int(steps), prog.steps_per_epoch)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=total)
        cbs.on_predict_begin()
        prog.begin_epoch("none", 0, 0)
        step = 0
        try:
            while step < total:
                k = min(self.steps_per_execution, total - step)
                cbs.on_predict_batch_begin(step)
                step += prog.run(step, k)
                cbs.on_predict_batch_end(step - 1, {})
        finally:
            prog.release()
        cbs.on_predict_end()
        if steps is not None:
            outs = [o[: min(n, total * batch_size)] for o in outs]
        return tree.pack_sequence_as(struct, outs)


def _check_compile_kwargs(kwargs):
    """Keras 2 compile() arguments: `sample_weight_mode` is honoured (D9), `target_tensors` and
    `distribute` are refused with the reason; anything else is a TypeError, as in Keras."""
    kwargs = dict(kwargs)
    mode = kwargs.pop("sample_weight_mode", None)
    if kwargs.pop("target_tensors", None) is not None:
        raise ValueError("`target_tensors` is not supported: targets are always the `y` passed to fit()/evaluate() "
                         "(Keras 3 removed this argument).")
    if kwargs.pop("distribute", None) is not None:
        raise ValueError("`distribute` is not supported: pykerascore runs on one native engine without "
                         "tf.distribute strategies (Keras 3 removed this argument).")
    if kwargs:
        raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}. Valid keyword arguments "
                        "include: sample_weight_mode, target_tensors, distribute.")
    for m in tree.flatten(mode) if isinstance(mode, (list, tuple, dict)) else [mode]:
        if m not in (None, "temporal"):
            raise ValueError(f"`sample_weight_mode` must be None or 'temporal' (or a list / dict of those per output). "
                             f"Received: sample_weight_mode={mode!r}")
    return mode


def _check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
    return int(batch_size)


def _check_spe(spe):
    if isinstance(spe, bool) or not isinstance(spe, (int, np.integer)) or spe < 1:
        raise ValueError(f"`steps_per_execution` must be a positive integer. Received: {spe}")
    return int(spe)


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1 if getattr(sys.stdout, "isatty", lambda: False)() else 2
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose}")
    return verbose


def _should_validate(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _unpack(data):
    if isinstance(data, (list, tuple)):
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data[0], data[1], data[2]
    raise ValueError(f"validation_data must be a tuple (x, y) or (x, y, sample_weight); received {type(data).__name__}")


def _split(x, y, sample_weight, fraction):
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be between 0 and 1, got {fraction}")
    flat = tree.flatten(x)
    n = np.asarray(flat[0]).shape[0]
    cut = int(n * (1.0 - fraction))

    def part(a, lo, hi):
        return None if a is None else tree.map_structure(lambda t: np.asarray(t)[lo:hi], a)

    train = (part(x, 0, cut), part(y, 0, cut), part(sample_weight, 0, cut))
    val = (part(x, cut, n), part(y, cut, n), part(sample_weight, cut, n))
    return train, val
