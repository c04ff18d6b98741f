"""Operand handling shared by the pykerascore.ops modules: dtype of an operand, Keras-style
result dtypes (a Python scalar is "weak" and adopts the tensor's type), and conversion of
operands to one dtype before an op is emitted. No op is defined here.
"""

import numpy as np

from pykerascore.backend.symbolic import KerasTensor, current_graph
from pykerascore.backend.variables import Variable

_FLOATS = ("float16", "bfloat16", "float32", "float64")


def is_tensor(x):
    return isinstance(x, (KerasTensor, Variable))


def dtype_of(x):
    """The dtype name of an operand; Python scalars give None (weak: they follow the other side)."""
    if isinstance(x, (KerasTensor, Variable)):
        return str(x.dtype)
    if isinstance(x, (bool, int, float)):
        return None
    # Arrays and NumPy scalars keep their dtype, except float64, which becomes float32 on the
    # way into a graph or an eager op (the backend's rule for non-tensor operands).
    dt = np.asarray(x).dtype
    return "float32" if dt == np.float64 else str(dt)


def _weak_kind(x):
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int32"
    return "float32"


def result_dtype(*xs):
    """Keras/JAX-like promotion: int with float gives the float, two floats the wider one; a
    Python scalar adopts the tensor's dtype unless it is a float meeting an integer tensor."""
    strong = [dtype_of(x) for x in xs if dtype_of(x) is not None]
    weak = [_weak_kind(x) for x in xs if dtype_of(x) is None]
    if not strong:
        return "float32" if "float32" in weak else ("int32" if "int32" in weak else "bool")
    floats = [d for d in strong if d in _FLOATS]
    if floats:
        return str(max(floats, key=lambda d: np.dtype("float32" if d == "bfloat16" else d).itemsize))
    out = strong[0]
    for d in strong[1:]:
        out = str(np.promote_types(out, d))
    if "float32" in weak:
        return "float32"
    if out == "bool" and "int32" in weak:
        return "int32"
    return out


def graph_of(*xs):
    for x in xs:
        if isinstance(x, KerasTensor) and x._graph is not None:
            return x._graph
    return current_graph()


def constant(value, dtype, graph):
    """`value` as an operand of `dtype`: a graph constant when building a graph (so float64
    constants keep their precision), else a NumPy array."""
    arr = np.asarray(value, dtype=dtype, order="C")  # (ascontiguousarray would make 0-d 1-d)
    if graph is None:
        return arr
    vid = graph.add_constant(arr, "constant")
    return KerasTensor(graph.shape(vid), graph.dtype(vid), graph, vid, name="constant")


def convert(x, dtype, graph=None):
    """One operand converted to `dtype` (a cast op for tensors of another dtype)."""
    if is_tensor(x):
        if str(x.dtype) == dtype:
            return x
        from pykerascore.backend.symbolic import emit

        return emit("cast", [x], {"dtype": dtype})
    return constant(x, dtype, graph)


def align(*xs, dtype=None):
    """All operands converted to one dtype (`dtype`, else their result dtype)."""
    dtype = dtype or result_dtype(*xs)
    graph = graph_of(*xs)
    return [convert(x, dtype, graph) for x in xs]


def float_dtype(x):
    """The dtype a float-valued op returns for x: x's float dtype, else float32."""
    dt = dtype_of(x)
    return dt if dt in _FLOATS else "float32"
