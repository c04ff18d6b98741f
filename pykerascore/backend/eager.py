"""Eager execution with a tape (`run_eagerly=True`).

Inside `Tape.active()`, every op that `emit()` receives runs at once through the native kernels
(a one-node scratch graph) and is recorded; Python sees EagerTensors holding real values.
`Tape.gradients` replays only the recorded ops between the variables and the loss into one
native graph and differentiates it with the ops' own gradient rules. Must not run any op twice
outside that replay (state updates such as metrics are never on the replayed path).
"""

import contextlib

import numpy as np

from pykerascore.backend import core
from pykerascore.backend.symbolic import KerasTensor, _state
from pykerascore.backend.variables import Variable

_INPUT, _CONSTANT, _VARIABLE, _NODE = range(4)


def active_tape():
    return getattr(_state, "tape", None)


class Tape:
    """A Python-side graph of concrete values: vid -> (kind, value or Variable), plus the list
    of recorded ops. `step` is the dropout step counter (the optimizer's iteration count), so
    masks advance per step exactly as in a compiled program."""

    def __init__(self, step=0):
        self.step = int(step)
        self._kinds = []
        self._values = []  # np.ndarray, or the Variable for _VARIABLE
        self._nodes = []  # (op, input vids, attrs, name, output vids)
        self._producer = []  # node index per vid, -1 for leaves
        self._var_vids = {}

    @contextlib.contextmanager
    def active(self):
        prev = active_tape()
        _state.tape = self
        try:
            yield self
        finally:
            _state.tape = prev

    # -- values ------------------------------------------------------------------------------
    def _add(self, kind, value, producer=-1):
        self._kinds.append(kind)
        self._values.append(value)
        self._producer.append(producer)
        return len(self._values) - 1

    def value(self, vid):
        v = self._values[vid]
        return v.numpy() if self._kinds[vid] == _VARIABLE else v

    def shape(self, vid):
        v = self._values[vid]
        return list(v.shape)

    def dtype(self, vid):
        return str(self._values[vid].dtype)

    def add_constant(self, value, name="constant"):
        return self._add(_CONSTANT, np.array(value, copy=True))

    def add_variable(self, variable):
        vid = self._var_vids.get(id(variable))
        if vid is None:
            vid = self._add(_VARIABLE, variable)
            self._var_vids[id(variable)] = vid
        return vid

    def input(self, array, name="input"):
        """A leaf EagerTensor for a batch array (model input, target or sample weight)."""
        return EagerTensor(self, self._add(_INPUT, np.ascontiguousarray(array)), name)

    def _operand(self, x, float_dtype):
        if isinstance(x, KerasTensor):
            if x._graph is not self:
                raise ValueError(f"Tensor {x} does not belong to the running eager step")
            return x._vid
        if isinstance(x, Variable):
            return self.add_variable(x)
        # Same constant rule as a traced graph (symbolic._to_vid), so dtypes match the compiled path.
        arr = np.asarray(x)
        if arr.dtype.kind in "fc" or np.isscalar(x):
            arr = arr.astype(float_dtype)
        return self.add_constant(np.ascontiguousarray(arr))

    # -- ops ---------------------------------------------------------------------------------
    def record(self, op, inputs, attrs, name, num_outputs):
        """Runs `op` now on the concrete values of `inputs` and records it (emit()'s eager-tape path)."""
        float_dtype = next((x.dtype for x in inputs if isinstance(x, KerasTensor) and x.dtype in ("float32", "float64")),
                           "float32")
        vids = [self._operand(x, float_dtype) for x in inputs]
        attrs = dict(attrs or {})
        if op == "dropout":
            # A program sets the kernels' step to the optimizer's count; here the op carries it.
            attrs["step_offset"] = int(attrs.get("step_offset", 0)) + self.step
        values = self._evaluate_one(op, vids, attrs, name)
        node = len(self._nodes)
        outs = [self._add(_NODE, np.asarray(v), node) for v in values]
        self._nodes.append((op, vids, attrs, name, outs))
        result = [EagerTensor(self, v, name or op) for v in outs]
        return result if num_outputs != 1 else (result[0] if result else None)

    def _evaluate_one(self, op, vids, attrs, name):
        g = core.Graph()
        feeds, ins = {}, []
        for v in vids:
            if self._kinds[v] == _VARIABLE:
                ins.append(g.add_variable(self._values[v]._native))  # state ops update it in place
            else:
                arr = self._values[v]
                gv = g.add_input("x", list(arr.shape), str(arr.dtype))
                feeds[gv] = arr
                ins.append(gv)
        outs = g.add_node(op, ins, attrs, name)
        return list(g.evaluate(feeds, outs))  # with no outputs it still runs: state ops always do

    # -- backward ----------------------------------------------------------------------------
    def gradients(self, loss, variables, seed=1.0, fuse=True):
        """d(seed * loss)/d(variable) as NumPy arrays (None where the loss does not depend on
        it), from the recorded ops that lie between `variables` and `loss`, replayed into one
        native graph."""
        if not isinstance(loss, KerasTensor) or loss._graph is not self:
            raise ValueError(
                "The loss was not computed from the model's outputs with pykerascore ops (e.g. it went through "
                "np.asarray), so it has no gradient. Use ops (or NumPy ufuncs on the tensors themselves).")
        wrt = [self._var_vids.get(id(v)) for v in variables]
        depends = [False] * len(self._values)
        for v in wrt:
            if v is not None:
                depends[v] = True
        for op, ins, attrs, name, outs in self._nodes:
            if any(depends[i] for i in ins):
                for o in outs:
                    depends[o] = True
        if not depends[loss._vid]:
            return [None] * len(variables)
        needed = [False] * len(self._values)
        needed[loss._vid] = True
        keep = []
        for n in range(len(self._nodes) - 1, -1, -1):
            op, ins, attrs, name, outs = self._nodes[n]
            if any(needed[o] for o in outs) and any(depends[i] for i in ins):
                keep.append(n)
                for i in ins:
                    needed[i] = True
        g = core.Graph()
        feeds, gvid = {}, {}

        def mapped(v):
            if v not in gvid:
                if self._kinds[v] == _VARIABLE:
                    gvid[v] = g.add_variable(self._values[v]._native)
                else:  # off the variables' path: its recorded value is fed in
                    arr = self._values[v]
                    gvid[v] = g.add_input(f"v{v}", list(arr.shape), str(arr.dtype))
                    feeds[gvid[v]] = arr
            return gvid[v]

        for n in reversed(keep):
            op, ins, attrs, name, outs = self._nodes[n]
            g_outs = g.add_node(op, [mapped(i) for i in ins], attrs, name)
            for o, go in zip(outs, g_outs):
                gvid[o] = go
        seed_vid = g.add_constant(np.asarray(seed, dtype=self.dtype(loss._vid)), "loss_seed")
        grads = self._grad_vids(g, gvid[loss._vid], wrt, mapped, fuse, seed_vid)
        fetch = [v for v in grads if v >= 0]
        values = iter(g.evaluate(feeds, fetch)) if fetch else iter(())
        return [next(values) if v >= 0 else None for v in grads]

    @staticmethod
    def _grad_vids(g, loss_vid, wrt, mapped, fuse, seed_vid):
        targets = [mapped(v) if v is not None else None for v in wrt]
        present = [t for t in targets if t is not None]
        got = iter(g.gradients(loss_vid, present, fuse, seed_vid))
        return [next(got) if t is not None else -1 for t in targets]


class EagerTensor(KerasTensor):
    """A recorded value of an eager step: a tensor for ops and layers, an array for NumPy
    (`np.asarray(t)`, `t.numpy()`, `float(t)`, comparisons); NumPy ufuncs and reductions on it
    that have an op go through the op, so NumPy-written losses keep their gradient."""

    def __init__(self, tape, vid, name=None):
        super().__init__(tape.shape(vid), tape.dtype(vid), tape, vid, name=name)

    def numpy(self):
        return self._graph.value(self._vid)

    def __array__(self, dtype=None, copy=None):
        v = self.numpy()
        return v if dtype is None else v.astype(dtype)

    def __repr__(self):
        return f"<EagerTensor shape={self.shape}, dtype={self.dtype}, value={self.numpy()}>"

    def __float__(self):
        return float(self.numpy())

    def __int__(self):
        return int(self.numpy())

    def __bool__(self):
        return bool(self.numpy())

    def __len__(self):
        return len(self.numpy())

    def __getitem__(self, key):
        return self.numpy()[key]

    def __lt__(self, o):
        return self.numpy() < np.asarray(o)

    def __le__(self, o):
        return self.numpy() <= np.asarray(o)

    def __gt__(self, o):
        return self.numpy() > np.asarray(o)

    def __ge__(self, o):
        return self.numpy() >= np.asarray(o)

    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _numpy_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _numpy_function(func, args, kwargs)


# -- NumPy on EagerTensors -------------------------------------------------------------------
# Ufuncs and reductions with an op go through it (recorded, differentiable); anything else runs
# in NumPy on the values and returns arrays (a constant to the tape, as with np.asarray).
_UFUNC_OPS = {
    "add": "add", "subtract": "subtract", "multiply": "multiply", "divide": "divide", "true_divide": "divide",
    "negative": "negative", "maximum": "maximum", "minimum": "minimum", "square": "square", "sqrt": "sqrt",
    "exp": "exp", "log": "log", "log1p": "log1p", "absolute": "abs", "power": "power",
}
_FUNCTION_OPS = {"mean": "mean", "sum": "sum", "clip": "clip", "square": "square", "abs": "abs", "where": "where",
                 "maximum": "maximum", "minimum": "minimum", "matmul": "matmul", "dot": "dot", "reshape": "reshape",
                 "transpose": "transpose", "concatenate": "concatenate", "squeeze": "squeeze",
                 "expand_dims": "expand_dims", "max": "max", "min": "min", "amax": "max", "amin": "min"}


def _plain(x):
    if isinstance(x, EagerTensor):
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    return x


def _numpy_ufunc(ufunc, method, inputs, kwargs):
    from pykerascore import ops

    name = _UFUNC_OPS.get(ufunc.__name__)
    if method == "__call__" and name is not None and not kwargs:
        return getattr(ops, name)(*inputs)
    return getattr(ufunc, method)(*[_plain(x) for x in inputs], **{k: _plain(v) for k, v in kwargs.items()})


def _numpy_function(func, args, kwargs):
    from pykerascore import ops

    name = _FUNCTION_OPS.get(func.__name__)
    allowed = {"axis", "keepdims", "axes", "newshape", "a_min", "a_max"}
    if name is not None and set(kwargs) <= allowed and hasattr(ops, name):
        kw = dict(kwargs)
        if name == "clip":
            kw = {("x_min" if k == "a_min" else "x_max"): v for k, v in kw.items()}
        try:
            return getattr(ops, name)(*args, **kw)
        except TypeError:
            pass  # a signature the op does not take: fall through to NumPy
    return func(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})
