"""pykerascore.ops: a NumPy-like op namespace.

On symbolic tensors the ops are traced into the graph being built (and so differentiable in
the compiled program); on arrays they run eagerly through the same native kernels. Each
module lists its public ops in `__all__`.
"""

from pykerascore.ops.nn import *  # noqa: F401,F403
from pykerascore.ops.numpy import *  # noqa: F401,F403
