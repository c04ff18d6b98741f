"""pykerascore.ops: a NumPy-like op namespace.

On symbolic tensors the ops are traced into the graph being built (and so differentiable in
the compiled program); on arrays they run eagerly through the same native kernels.
"""

from pykerascore.ops.numpy import (  # noqa: F401
    add,
    cast,
    divide,
    expand_dims,
    matmul,
    multiply,
    negative,
    reshape,
    shape,
    squeeze,
    subtract,
)
from pykerascore.ops.nn import relu, sigmoid, softmax, tanh  # noqa: F401
