"""Symbolic tensors and tracing.

A KerasTensor is either a *definition-time* tensor (no graph: what `Input()` and functional
layer calls return, carrying `_keras_history`) or a *traced* tensor (a value in a native Graph
that a program is being built from). `emit()` is the one place ops enter a graph; inside an
eager step's tape (backend/eager.py) it runs and records the op; with only concrete arrays it
evaluates the op eagerly through the same native kernels.
"""

import contextlib
import threading

import numpy as np

from pykerascore.backend import core
from pykerascore.backend.variables import Variable

_state = threading.local()


class KerasTensor:
    def __init__(self, shape, dtype="float32", graph=None, vid=None, name=None):
        self.shape = tuple(None if d is None or d < 0 else int(d) for d in shape)
        self.dtype = str(dtype)
        self._graph = graph
        self._vid = vid
        self.name = name
        self._keras_history = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    # Arithmetic forwards to the op namespace so custom code reads naturally.
    def __add__(self, o):
        from pykerascore import ops
        return ops.add(self, o)

    def __radd__(self, o):
        from pykerascore import ops
        return ops.add(o, self)

    def __sub__(self, o):
        from pykerascore import ops
        return ops.subtract(self, o)

    def __rsub__(self, o):
        from pykerascore import ops
        return ops.subtract(o, self)

    def __mul__(self, o):
        from pykerascore import ops
        return ops.multiply(self, o)

    def __rmul__(self, o):
        from pykerascore import ops
        return ops.multiply(o, self)

    def __truediv__(self, o):
        from pykerascore import ops
        return ops.divide(self, o)

    def __neg__(self):
        from pykerascore import ops
        return ops.negative(self)

    def __matmul__(self, o):
        from pykerascore import ops
        return ops.matmul(self, o)


@contextlib.contextmanager
def fusion(enabled):
    """Inside this block, layers emit fused ops (e.g. Dense's GEMM + bias + activation) only when
    `enabled` (jit_compile); the numbers are the same either way."""
    prev = getattr(_state, "fusion", True)
    _state.fusion = bool(enabled)
    try:
        yield
    finally:
        _state.fusion = prev


def fusion_enabled():
    return getattr(_state, "fusion", True)


def is_symbolic(x):
    return isinstance(x, KerasTensor)


def current_graph():
    return getattr(_state, "graph", None)


@contextlib.contextmanager
def tracing(graph):
    """Ops on Variables inside this block go into `graph`."""
    prev = current_graph()
    _state.graph = graph
    try:
        yield graph
    finally:
        _state.graph = prev


def new_graph():
    return core.Graph()


def placeholder(graph, shape, dtype="float32", name="input"):
    vid = graph.add_input(name, list(shape), str(dtype))
    return KerasTensor(graph.shape(vid), graph.dtype(vid), graph, vid, name=name)


def _to_vid(graph, x, float_dtype="float32"):
    if isinstance(x, KerasTensor):
        if x._graph is not graph:
            raise ValueError(f"Tensor {x} belongs to a different graph than the op being built")
        return x._vid
    if isinstance(x, Variable):
        return graph.add_variable(x._native)
    arr = np.asarray(x)
    if arr.dtype.kind in "fc" or arr.dtype == np.float64 or np.isscalar(x):
        arr = arr.astype(float_dtype)
    return graph.add_constant(np.asarray(arr, order="C"), "constant")


def emit(op, inputs, attrs=None, name="", num_outputs=1):
    """Adds `op` to the graph of its symbolic inputs, or runs it eagerly on arrays."""
    graph = None
    for x in inputs:
        if isinstance(x, KerasTensor):
            if x._graph is None:
                # Functional API: record the op as a node so the model can replay it.
                from pykerascore.layers.core.op_layer import OpLayer

                tensors = [t for t in inputs if isinstance(t, KerasTensor)]
                return OpLayer(op, inputs, attrs, name, num_outputs)(tensors)
            graph = x._graph
            break
    if graph is None:
        graph = current_graph()
    if graph is None:
        graph = getattr(_state, "tape", None)  # an eager step (backend/eager.py) records every op
    if graph is None:
        return _eager(op, inputs, attrs, name)
    if hasattr(graph, "record"):
        return graph.record(op, inputs, attrs, name, num_outputs)
    # Python/NumPy float constants take the float dtype of the tensors they meet.
    float_dtype = next((x.dtype for x in inputs if isinstance(x, KerasTensor) and x.dtype in ("float32", "float64")),
                       "float32")
    vids = [_to_vid(graph, x, float_dtype) for x in inputs]
    outs = graph.add_node(op, vids, dict(attrs or {}), name)
    result = [KerasTensor(graph.shape(v), graph.dtype(v), graph, v, name=name or op) for v in outs]
    return result if num_outputs != 1 else (result[0] if result else None)


def _eager(op, inputs, attrs, name):
    graph = core.Graph()
    feeds = {}
    vids = []
    for x in inputs:
        if isinstance(x, Variable):
            vids.append(graph.add_variable(x._native))
            continue
        arr = np.asarray(x)
        if arr.dtype == np.float64 or arr.dtype.kind == "f":
            arr = arr.astype("float32")
        arr = np.asarray(arr, order="C")  # keeps 0-d arrays 0-d (ascontiguousarray makes them 1-d)
        vid = graph.add_input("x", list(arr.shape), str(arr.dtype))
        feeds[vid] = arr
        vids.append(vid)
    outs = graph.add_node(op, vids, dict(attrs or {}), name)
    values = graph.evaluate(feeds, outs)
    return values[0] if len(values) == 1 else (values if values else None)


def symbolic_call(fn, spec_tensors, graph=None):
    """Runs `fn` on traced placeholders shaped like `spec_tensors` (definition-time tensors) in
    a scratch graph; returns the traced outputs (for output shapes and dtypes)."""
    graph = graph or core.Graph()
    with tracing(graph):
        traced = [placeholder(graph, t.shape, t.dtype, t.name or "input") for t in spec_tensors]
        return fn(traced)
