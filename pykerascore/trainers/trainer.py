"""Trainer: compile / fit / evaluate / predict / *_on_batch for every model kind -- one fit
loop, one evaluate loop, one predict loop, shared by every input kind.

Arguments owned here: epochs, steps_per_execution, validation, callbacks (steps belong to the
EpochIterator, data to the adapters, programs to program_builder). Array data is bound whole
to a native program and the engine runs `steps_per_execution` steps per call with the GIL
released; other inputs (generators, PyDataset, iterables) bind each batch and run one step.
Python only runs callbacks and the progress bar between executions.
"""

import inspect
import sys
import warnings

import numpy as np

from pykerascore import metrics as metrics_module
from pykerascore import optimizers as optimizers_module
from pykerascore.trainers import program_builder
from pykerascore.callbacks import CallbackList
from pykerascore.trainers import compile_utils
from pykerascore.trainers.compile_utils import CompileLoss, CompileMetrics
from pykerascore.backend import core
from pykerascore.trainers.data_adapters import get_data_adapter
from pykerascore.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter
from pykerascore.trainers.epoch_iterator import EpochIterator, Span
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
        self._eager_fallback = False  # set when the loss/metrics cannot be traced (see _traced)
        self._jit_compile = "auto"
        self.stop_evaluating = False
        self.stop_predicting = False
        self._batch_programs = {}  # *_on_batch and the batch path: batch signature -> (program, order)
        self._initial_epoch = None  # set by BackupAndRestore.on_train_begin to resume fit() (Keras)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True,
                pss_evaluation_shards=0, **kwargs):
        sample_weight_mode = _check_compile_kwargs(kwargs)
        del pss_evaluation_shards  # Keras 2 parameter-server evaluation sharding: no such strategy here
        self.optimizer = optimizers_module.get(optimizer)
        # C6: under the "mixed_float16" policy the optimizer scales the loss dynamically (Keras).
        if (auto_scale_loss and getattr(getattr(self, "dtype_policy", None), "name", None) == "mixed_float16"
                and not isinstance(self.optimizer, optimizers_module.LossScaleOptimizer)):
            self.optimizer = optimizers_module.LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
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

    def _eager_mode(self):
        """Steps run eagerly when asked to, or after a loss/metric could not be traced."""
        return self._run_eagerly or self._eager_fallback

    def _traced(self, build):
        """Builds a compiled program with `build()`. A custom loss or metric written with NumPy
        cannot be traced into the native program: instead of failing, warn once and return None
        so the caller runs this model's steps eagerly (per batch, same numbers, slower)."""
        try:
            return build()
        except (TypeError, AttributeError, NotImplementedError) as e:
            self._eager_fallback = True
            warnings.warn(
                f"A loss or metric of model '{self.name}' could not be compiled into the native program "
                f"({type(e).__name__}: {e}); its training and evaluation steps now run eagerly, batch by batch "
                "(same numbers, slower). Write custom losses and metrics with `pykerascore.ops` to keep them "
                "in the compiled program.",
                stacklevel=4,
            )
            return None

    def _invalidate_programs(self):
        """Drops compiled programs: the model's structure or compilation changed."""
        self._programs = {}
        self._batch_programs = {}
        self._pack = None
        self._eager_fallback = False

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
        """The compiled program for whole arrays (built once per signature) and the arrays to
        bind to it: (program, x list in model-input order, y list, sample_weight)."""
        x, input_info = program_builder.match_inputs(self, adapter.x, adapter.x_struct)
        adapter.x = x
        y = list(adapter.y) if mode != "predict" else []
        sw = adapter.sample_weight if mode != "predict" else None
        spec = program_builder.DataSpec(x, y, sw, y_struct=getattr(adapter, "y_struct", None), class_weight=class_weight)
        prog = program_builder.get_program(self, mode, spec, input_info, batch_size)
        return prog, x, y, sw

    def _bind_batch(self, mode, x, y=None, sample_weight=None, class_weight=None):
        """The program for one batch of NumPy structures, bound to it. Programs are cached per
        batch signature (per-row shapes, dtypes, structure), so a repeated signature costs one
        dict lookup; a larger batch than the cached program's gets a new program."""
        x = _batch_struct(x, "x")
        if mode == "predict" or y is None:
            ys = []
        elif type(y) is np.ndarray:
            ys = [_batch_struct(y, "y")]
        else:
            ys = [_batch_array(a, "y") for a in tree.flatten(y)]
        sw = None if (mode == "predict" or sample_weight is None) else _batch_array(sample_weight, "sample_weight")
        if type(x) is np.ndarray and len(ys) == 1 and sw is None:  # the common case, in a handful of calls
            rows = x.shape[0]
            key = (mode, x.shape[1:], x.dtype.str, ys[0].shape[1:], ys[0].dtype.str, _freeze(class_weight))
        elif type(x) is np.ndarray and not ys and sw is None:  # predict's common case
            rows = x.shape[0]
            key = (mode, x.shape[1:], x.dtype.str, _freeze(class_weight))
        else:
            rows = _rows(x)
            key = (mode, _signature(x), _signature(ys), _signature(sw), _freeze(class_weight))
        cache = self._batch_programs
        entry = cache.get(key)
        if entry is None or entry[0]._programs_ref is not self._programs or rows > entry[0].batch_size:
            entry = self._build_batch_program(mode, x, ys, sw, class_weight, rows, y)
            cache[key] = entry
        prog, order = entry
        xs = tree.flatten(x) if order is None else [x[k] for k in order]
        prog.bind(xs, ys, sw)
        prog._pkc_owner = None  # an array feed must re-bind before its next run
        return prog

    def _build_batch_program(self, mode, x, ys, sw, class_weight, rows, y_struct=None):
        flat = tree.flatten(x)
        xs, input_info = program_builder.match_inputs(self, flat, x)
        order = None
        if isinstance(x, dict):
            key_of = {id(v): k for k, v in x.items()}
            order = [key_of[id(a)] for a in xs]
        spec = program_builder.DataSpec(xs, ys, sw, y_struct=y_struct, class_weight=class_weight)
        prog = program_builder.get_program(self, mode, spec, input_info, max(1, rows))
        prog._programs_ref = self._programs  # stale once compile() starts a new program cache
        return prog, order

    def _build_optimizer(self):
        """As Keras, the optimizer's state exists from the start of training, so callbacks
        (BackupAndRestore) and load_weights can restore it before the first step."""
        if self.built and not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)

    def _logs(self):
        """{label: value} in metrics_names order (D13)."""
        return {m.name: m.result() for m in self.metrics}

    def _results(self, logs, return_dict):
        """evaluate / *_on_batch return forms (E1): dict, or a scalar for one value, else a list
        in `metrics_names` order."""
        logs = {k: _to_float(v) for k, v in logs.items()}
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _resolve_spe(self, override=None):
        return _check_spe(override) if override is not None else self.steps_per_execution

    # ------------------------------------------------------------------ data -> loop
    def _loop_data(self, mode, x, y, sample_weight, batch_size, steps, shuffle, class_weight, spe, data_kw):
        """The epoch iterator and the feed (how a step's data reaches the engine) for one input."""
        if class_weight is not None and mode != "train":
            class_weight = None
        if isinstance(x, DataAdapter):
            adapter = x
        else:
            adapter = _make_adapter(x, y, sample_weight, batch_size, steps, shuffle, class_weight, data_kw)
        is_array = getattr(adapter, "is_array", True)
        shuffle_mode = "batch" if shuffle == "batch" else ("full" if shuffle else "none")
        if is_array:
            # Keras: without batch_size, array data with `steps` is cut into that many batches.
            bs = getattr(adapter, "batch_size", None) or batch_size or (
                -(-adapter.num_samples // steps) if steps and steps > 0 else 32)
        compiled = None
        if is_array and not self._eager_mode():
            compiled = self._traced(lambda: self._program(mode, adapter, bs, class_weight))
        if self._eager_mode():
            if class_weight is not None:
                raise ValueError("`class_weight` is not supported with `run_eagerly=True`; pass `sample_weight`.")
            if is_array:
                feed = _EagerFeed(self, mode, adapter, bs, shuffle_mode, rng.draw_seed())
                num_batches = -(-adapter.num_samples // bs)
            else:
                feed = _EagerFeed(self, mode)
                num_batches = adapter.num_batches
        elif is_array:
            prog, xs, ys, sw = compiled
            feed = _ArrayFeed(self, prog, xs, ys, sw, shuffle_mode, rng.draw_seed(), adapter.num_samples)
            num_batches = -(-adapter.num_samples // prog.batch_size)
        else:
            feed = _BatchFeed(self, mode, class_weight)
            num_batches = adapter.num_batches
        return EpochIterator(adapter, steps, spe, num_batches, is_array), feed

    def _run_epoch(self, it, feed, on_begin, on_end, stop_attr):
        """One epoch of `it`: the one loop shared by fit, evaluate and predict and by every
        input kind. Batch callbacks run once per execution, with the first and last step."""
        it.begin_epoch()
        try:
            while True:
                nxt = it.next_execution()
                if nxt is None:
                    break
                begin, data = nxt
                on_begin(begin)
                done = feed.run(data)
                # No callback reads batch logs when the epoch runs as one call (_whole_epoch_calls):
                # skip building them (reading every metric back costs more than a small step).
                on_end(begin + done - 1, None if feed.quiet else feed.batch_logs(data, done))
                if getattr(self, stop_attr):
                    break
        finally:
            it.end_epoch()
        if it.total_steps == 0:
            raise ValueError("Expected input data to be non-empty: the input yielded no batches.")

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
            max_queue_size=10, workers=1, use_multiprocessing=False, steps_per_execution=None):
        self._assert_compiled("fit")
        batch_size = _check_batch_size(batch_size, default=None)
        validation_batch_size = _check_batch_size(validation_batch_size, default=None, name="validation_batch_size")
        epochs, initial_epoch = _check_epochs(epochs, initial_epoch)
        _check_validation_freq(validation_freq)
        spe = self._resolve_spe(steps_per_execution)
        verbose = _resolve_verbose(verbose)
        data_kw = {"max_queue_size": max_queue_size, "workers": workers, "use_multiprocessing": use_multiprocessing}
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = _split(x, y, sample_weight, validation_split)
        val = _unpack(validation_data) if validation_data is not None else None
        it, feed = self._loop_data("train", x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight,
                                   spe, data_kw)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=epochs,
            steps=it.num_batches)
        _whole_epoch_calls(it, feed, cbs, "train")
        val_it = val_feed = None
        if val is not None:  # built up front (bad validation data fails before any training) and once,
            # so a validation generator carries on between epochs
            val_it, val_feed = self._loop_data("test", val[0], val[1], val[2], validation_batch_size or batch_size,
                                               validation_steps, False, None, spe, data_kw)
            _whole_epoch_calls(val_it, val_feed, cbs, "test")
        self.stop_training = False
        training_logs = {}
        self._build_optimizer()
        cbs.on_train_begin()
        # A resumed run (BackupAndRestore, or initial_epoch after load_weights) starts at the saved
        # epoch and shuffles as the uninterrupted run did: pass k of this call is pass
        # initial_epoch + k (epoch e's pass when each epoch is one pass, steps_per_epoch=None).
        initial_epoch, self._initial_epoch = self._initial_epoch or initial_epoch, None
        feed.pass_offset = initial_epoch
        try:
            feed.begin()
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                self._run_epoch(it, feed, cbs.on_train_batch_begin, cbs.on_train_batch_end, "stop_training")
                epoch_logs = dict(self._logs())
                if val is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._evaluate_loop(val_it, val_feed, cbs)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                if self.stop_training:
                    break
        finally:
            feed.release()
            if val_feed is not None:
                val_feed.release()
            if epochs > initial_epoch and hasattr(self.optimizer, "finalize_variable_values"):
                self.optimizer.finalize_variable_values(self.trainable_weights)  # EMA weights, as Keras
        cbs.on_train_end(training_logs)
        return self.history

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Deprecated (Keras 2): `fit` accepts generators and PyDatasets directly."""
        _warn_deprecated("fit_generator", "fit")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight, max_queue_size=max_queue_size,
                        workers=workers, use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                        initial_epoch=initial_epoch)

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, max_queue_size=10, workers=1, use_multiprocessing=False, **kwargs):
        self._assert_compiled("evaluate")
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        batch_size = _check_batch_size(batch_size, default=None)
        verbose = _resolve_verbose(verbose)
        data_kw = {"max_queue_size": max_queue_size, "workers": workers, "use_multiprocessing": use_multiprocessing}
        it, feed = self._loop_data("test", x, y, sample_weight, batch_size, steps, False, None,
                                   self.steps_per_execution, data_kw)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=it.num_batches)
        _whole_epoch_calls(it, feed, cbs, "test")
        try:
            logs = self._evaluate_loop(it, feed, cbs)
        finally:
            feed.release()
        return self._results(logs, return_dict)

    def _evaluate_loop(self, it, feed, cbs):
        self.stop_evaluating = False
        cbs.on_test_begin()
        self.reset_metrics()
        feed.begin()
        it.reset()
        self._run_epoch(it, feed, cbs.on_test_batch_begin, cbs.on_test_batch_end, "stop_evaluating")
        logs = {k: _to_float(v) for k, v in self._logs().items()}
        cbs.on_test_end(logs)
        return logs

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Deprecated (Keras 2): `evaluate` accepts generators and PyDatasets directly."""
        _warn_deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, max_queue_size=max_queue_size,
                             workers=workers, use_multiprocessing=use_multiprocessing, verbose=verbose)

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, max_queue_size=10, workers=1,
                use_multiprocessing=False):
        batch_size = _check_batch_size(batch_size, default=None)
        verbose = _resolve_verbose(verbose)
        data_kw = {"max_queue_size": max_queue_size, "workers": workers, "use_multiprocessing": use_multiprocessing}
        it, feed = self._loop_data("predict", x, None, None, batch_size, steps, False, None,
                                   self.steps_per_execution, data_kw)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=it.num_batches)
        _whole_epoch_calls(it, feed, cbs, "predict")
        self.stop_predicting = False
        cbs.on_predict_begin()
        try:
            feed.begin()
            self._run_epoch(it, feed, cbs.on_predict_batch_begin, cbs.on_predict_batch_end, "stop_predicting")
            outputs = feed.predictions()
        finally:
            feed.release()
        cbs.on_predict_end()
        return outputs

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Deprecated (Keras 2): `predict` accepts generators and PyDatasets directly."""
        _warn_deprecated("predict_generator", "predict")
        return self.predict(generator, steps=steps, callbacks=callbacks, max_queue_size=max_queue_size,
                            workers=workers, use_multiprocessing=use_multiprocessing, verbose=verbose)

    # ------------------------------------------------------------------ on one batch
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One training step on one batch. `reset_metrics=False` accumulates the returned
        metrics across calls until `reset_metrics()` (D2)."""
        self._assert_compiled("train_on_batch")
        prog = None if self._eager_mode() else self._traced(
            lambda: self._bind_batch("train", x, y, sample_weight, class_weight))
        if prog is None:
            if class_weight is not None:
                raise ValueError("`class_weight` is not supported with `run_eagerly=True`; pass `sample_weight`.")
            if reset_metrics:
                self.reset_metrics()
            _eager().train_step(self, x, y, sample_weight)
        else:
            if reset_metrics:
                self.reset_metrics()
            self._build_optimizer()
            prog.run(0, 1)
        return self._results(self._logs(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """Evaluates one batch; `reset_metrics=False` accumulates across calls (D2)."""
        self._assert_compiled("test_on_batch")
        prog = None if self._eager_mode() else self._traced(lambda: self._bind_batch("test", x, y, sample_weight))
        if prog is None:
            if reset_metrics:
                self.reset_metrics()
            _eager().test_step(self, x, y, sample_weight)
        else:
            if reset_metrics:
                self.reset_metrics()
            prog.run(0, 1)
        return self._results(self._logs(), return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays in the model's output structure."""
        if self.run_eagerly:
            return tree.map_structure(np.asarray, _eager().predict_step(self, x))
        x = _batch_struct(x, "x")
        prog = self._bind_batch("predict", x)
        outs = _output_arrays(prog.output_struct, _rows(x))
        prog.bind_outputs(outs)
        prog.run(0, 1)
        return tree.pack_sequence_as(prog.output_struct, outs)


# ---------------------------------------------------------------------- feeds
# A feed runs one execution's steps on the engine: `run(data)` takes what the EpochIterator
# yielded (a Span of the bound arrays, or a list of batches) and returns the steps it ran.


_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _whole_epoch_calls(it, feed, callbacks, mode):
    """With a fixed steps_per_execution on array data and no callback that overrides a batch
    hook, nothing can observe how steps are grouped into native calls (batch hooks are where
    the grouping shows): run each epoch as one call. "auto" keeps its timed executions."""
    if it.sizer.auto or not isinstance(feed, _ArrayFeed):
        return
    for cb in callbacks:
        for name in _BATCH_HOOKS[mode]:
            hook = getattr(cb, name, None)
            if hook is not None and not getattr(hook, "_is_default", False):
                return
    it.sizer.size = 1 << 30  # truncated at the epoch's end by the iterator
    feed.quiet = type(callbacks) is CallbackList  # a CallbackList subclass may read batch logs itself


class _ArrayFeed:
    """Array path: whole arrays bound to the program; the engine gathers each step's rows in
    the pass's (shuffled) order, `steps_per_execution` steps per native call."""

    pass_offset = 0  # added to the pass index the shuffled order keys on (fit's initial_epoch)
    quiet = False  # True: no callback reads batch logs, so none are built

    def __init__(self, model, prog, x, y, sw, shuffle, seed, num_samples):
        self.model, self.prog, self.x, self.y, self.sw = model, prog, x, y, sw
        self.shuffle, self.seed, self.num_samples = shuffle, seed, num_samples
        self._pass = None
        self._outs = None
        if prog.mode == "predict":
            self._outs = _output_arrays(prog.output_struct, num_samples)
        self._steps = 0

    def begin(self):
        self.prog.bind(self.x, self.y, self.sw)
        if self._outs is not None:
            self.prog.bind_outputs(self._outs)
        self.prog._pkc_owner = self
        self._pass = None

    def run(self, span):
        if self.prog._pkc_owner is not self:  # someone (e.g. a callback's *_on_batch) re-bound it
            self.begin()
        if span.pass_index != self._pass:
            self.prog.begin_epoch(self.shuffle, self.seed, span.pass_index + self.pass_offset)
            self._pass = span.pass_index
        done = self.prog.run(span.first, span.count)
        self._steps = max(self._steps, span.first + done)
        return done

    def batch_logs(self, span, done):
        if self._outs is None:
            return self.model._logs()
        bs = self.prog.batch_size
        lo, hi = span.first * bs, min((span.first + done) * bs, self.num_samples)
        return {"outputs": tree.pack_sequence_as(self.prog.output_struct, [o[lo:hi] for o in self._outs])}

    def predictions(self):
        rows = min(self.num_samples, self._steps * self.prog.batch_size)
        outs = self._outs if rows == self.num_samples else [o[:rows] for o in self._outs]
        return tree.pack_sequence_as(self.prog.output_struct, outs)

    def release(self):
        self.prog.release()
        self.prog._pkc_owner = None


class _StepFeed:
    """What the batch and eager feeds share: logs after an execution, collected predictions."""

    pass_offset = 0  # as _ArrayFeed's (the batch path's order belongs to its input)
    quiet = False

    def begin(self):
        pass

    def batch_logs(self, data, done):
        if self.mode != "predict":
            return self.model._logs()
        return {"outputs": tree.pack_sequence_as(self._struct, self._outs[-1])}

    def predictions(self):
        return _concat_predictions(self._struct, self._outs)

    def release(self):
        pass


class _BatchFeed(_StepFeed):
    """Batch path (generators, PyDataset, iterables): each batch is bound to a program built
    for the first batch's size and run as one step."""

    def __init__(self, model, mode, class_weight=None):
        self.model, self.mode, self.class_weight = model, mode, class_weight
        self._outs = []
        self._struct = None

    def run(self, batches):
        model, mode = self.model, self.mode
        for x, y, sw in batches:
            if mode != "predict":
                # A loss/metric that cannot be traced sends this batch (and the rest) to the eager step.
                prog = None if model._eager_mode() else model._traced(
                    lambda: model._bind_batch(mode, x, y, sw, self.class_weight))
                if prog is None:
                    _EagerFeed(model, mode).run([(x, y, sw)])
                    continue
            else:
                prog = model._bind_batch(mode, x, y, sw, self.class_weight)
            if mode == "predict":
                outs = _output_arrays(prog.output_struct, _rows(_batch_struct(x, "x")))
                prog.bind_outputs(outs)
                self._outs.append(outs)
                self._struct = prog.output_struct
            prog.run(0, 1)
        return len(batches)


class _EagerFeed(_StepFeed):
    """run_eagerly: every batch through pykerascore.trainers.eager (the model's `call` runs on
    arrays op by op). Array data is sliced in the engine's order, so numbers match."""

    def __init__(self, model, mode, adapter=None, batch_size=None, shuffle="none", seed=0):
        self.eager = _eager()
        self.model, self.mode = model, mode
        self.adapter, self.batch_size, self.shuffle, self.seed = adapter, batch_size, shuffle, seed
        self._order = (None, None)
        self._outs = []
        self._struct = None

    def _slice(self, span):
        a, bs = self.adapter, self.batch_size
        if self._order[0] != span.pass_index:
            self._order = (span.pass_index, np.asarray(core.epoch_order(a.num_samples, bs, self.shuffle, self.seed,
                                                                         span.pass_index + self.pass_offset)))
        order = self._order[1]
        for s in range(span.first, span.first + span.count):
            rows = order[s * bs:(s + 1) * bs]
            x = tree.pack_sequence_as(a.x_struct, [np.asarray(v)[rows] for v in tree.flatten(a.x_struct)])
            if self.mode == "predict":
                yield x, None, None
                continue
            y = None if a.y_struct is None else tree.pack_sequence_as(
                a.y_struct, [np.asarray(v)[rows] for v in tree.flatten(a.y_struct)])
            sw = None if a.sample_weight is None else np.asarray(a.sample_weight)[rows]
            yield x, y, sw

    def run(self, data):
        batches = self._slice(data) if isinstance(data, Span) else data
        n = 0
        for x, y, sw in batches:
            if self.mode == "train":
                self.eager.train_step(self.model, x, y, sw)
            elif self.mode == "test":
                self.eager.test_step(self.model, x, y, sw)
            else:
                out = self.eager.predict_step(self.model, x)
                self._struct = out
                self._outs.append([np.asarray(o) for o in tree.flatten(out)])
            n += 1
        return n


def _eager():
    try:
        from pykerascore.trainers import eager
    except ImportError as e:
        raise RuntimeError("`run_eagerly=True` needs pykerascore.trainers.eager, which is not available.") from e
    return eager


def _concat_predictions(struct, outs):
    if not outs:
        raise ValueError("Expected input data to be non-empty: predict() received no batches.")
    return tree.pack_sequence_as(struct, [np.concatenate(parts, axis=0) for parts in zip(*outs)])


def _output_arrays(struct, rows):
    return [np.empty((rows,) + tuple(t.shape[1:]), dtype=t.dtype) for t in tree.flatten(struct)]


# ---------------------------------------------------------------------- data helpers
def _make_adapter(x, y, sample_weight, batch_size, steps, shuffle, class_weight, data_kw):
    kwargs = {"batch_size": batch_size, "shuffle": shuffle, "steps_per_epoch": steps, "class_weight": class_weight}
    kwargs.update(data_kw)
    # Only the arguments this dispatcher takes (older ones lack the Keras 2 / steps arguments).
    return get_data_adapter(x, y, sample_weight, **{k: v for k, v in kwargs.items() if k in _ADAPTER_PARAMS})


_ADAPTER_PARAMS = frozenset(inspect.signature(get_data_adapter).parameters)


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



def _batch_array(a, what):
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numeric (float, int or bool), but received an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch dimension; received a scalar")
    if arr.dtype == np.float16:
        arr = arr.astype("float32")
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)


def _batch_struct(x, what):
    if type(x) is np.ndarray and x.dtype.kind in "biuf" and x.ndim and x.flags.c_contiguous and x.dtype != np.float16:
        return x  # the common case, without a call per leaf
    if x is None:
        raise ValueError(f"Expected input data to be non-empty: `{what}` is None.")
    if isinstance(x, dict):
        return {k: _batch_array(v, f"{what}[{k!r}]") for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and not np.isscalar(x[0]) and np.ndim(x[0]) > 0:
        return [_batch_array(v, f"{what}[{i}]") for i, v in enumerate(x)]
    return _batch_array(x, what)


def _rows(x):
    first = x if isinstance(x, np.ndarray) else tree.flatten(x)[0]
    return first.shape[0]


def _signature(s):
    if s is None:
        return None
    if isinstance(s, np.ndarray):
        return (s.shape[1:], s.dtype.str)
    if isinstance(s, dict):
        return tuple((k, _signature(v)) for k, v in s.items())
    return tuple(_signature(v) for v in s)


def _freeze(value):
    """A hashable, value-based key for class_weight dicts (ids would be reused)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    return value if value is None else float(value) if np.isscalar(value) else repr(value)


def _to_float(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _warn_deprecated(old, new):
    warnings.warn(f"`Model.{old}` is deprecated and will be removed in a future version. Please use `Model.{new}`, "
                  "which supports generators and PyDatasets.", DeprecationWarning, stacklevel=3)


def _check_batch_size(batch_size, default=32, name="batch_size"):
    """A positive int, or `default` for None (None lets the adapter choose: 32, or for array
    data with `steps`, the size that makes that many batches)."""
    if batch_size is None:
        return default
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={batch_size}")
    return int(batch_size)


def _check_spe(spe):
    """steps_per_execution: a positive int, or "auto" (C5): the EpochIterator then sizes each
    execution from measured step time so that one native call takes about 50 ms."""
    if spe == "auto":
        return "auto"
    if isinstance(spe, bool) or not isinstance(spe, (int, np.integer)) or spe < 1:
        raise ValueError(f"`steps_per_execution` must be a positive integer or 'auto'. Received: {spe}")
    return int(spe)


def _check_epochs(epochs, initial_epoch):
    for name, v in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"`{name}` must be a non-negative integer. Received: {name}={v}")
    return int(epochs), int(initial_epoch)


def _check_validation_freq(freq):
    if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool):
        if freq < 1:
            raise ValueError(f"`validation_freq` must be a positive integer. Received: validation_freq={freq}")
        return
    if isinstance(freq, (list, tuple, set, frozenset, range)):
        return
    raise ValueError(
        "`validation_freq` must be an int or a container (list, tuple, set, range) of 1-based epoch numbers. "
        f"Received: validation_freq={freq!r} of type {type(freq).__name__}")


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1 if getattr(sys.stdout, "isatty", lambda: False)() else 2
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose}")
    return int(verbose)


def _should_validate(epoch, freq):
    if isinstance(freq, (int, np.integer)):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _unpack(data):
    """validation_data: (x, y) or (x, y, sample_weight); anything else is an input of batches."""
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        raise ValueError(
            f"`validation_data` is a namedtuple ({type(data).__name__}); convert it to a tuple (x, y) or "
            "(x, y, sample_weight), or to a dict of inputs.")
    if isinstance(data, (list, tuple)):
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data[0], data[1], data[2]
        raise ValueError(
            "`validation_data` must be a tuple (x, y) or (x, y, sample_weight), a generator or a PyDataset; "
            f"received a {type(data).__name__} of length {len(data)}.")
    return data, None, None


def _split(x, y, sample_weight, fraction):
    """The last `fraction` of the rows (taken before any shuffling) as validation data."""
    if isinstance(fraction, bool) or not 0 < fraction < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: validation_split={fraction}")
    leaves = tree.flatten(x) + tree.flatten(y) + tree.flatten(sample_weight)
    if isinstance(x, DataAdapter) or not all(
            l is None or isinstance(l, np.ndarray) or hasattr(l, "__array__") or isinstance(l, (int, float))
            for l in leaves) or not ArrayDataAdapter.can_handle(x, y):
        raise ValueError(
            "`validation_split` is only supported for NumPy arrays and array-likes; received x of type "
            f"{type(x).__name__}. Pass `validation_data` instead.")
    n = np.shape(tree.flatten(x)[0])[0]
    cut = int(n * (1.0 - fraction))
    if cut == 0 or cut == n:
        raise ValueError(
            f"`validation_split={fraction}` of {n} samples leaves an empty training or validation set.")

    def part(a, lo, hi):
        return None if a is None else tree.map_structure(lambda t: np.asarray(t)[lo:hi], a)

    return (part(x, 0, cut), part(y, 0, cut), part(sample_weight, 0, cut)), (
        part(x, cut, n), part(y, cut, n), part(sample_weight, cut, n))
