"""Building and running native programs (the trainer's only contact with the engine)."""

from pykerascore.backend import core


def param_pack(variables):
    """One flat buffer for these trainable variables (they become views into it)."""
    return core.ParamPack([v._native for v in variables])


def train_program(graph, feeds, loss, pack, optimizer, batch_size, fuse=True):
    return core.Program("train", graph, [f._vid for f in feeds], [], loss._vid, pack, optimizer._native, int(batch_size),
                        bool(fuse))


def test_program(graph, feeds, batch_size):
    return core.Program("test", graph, [f._vid for f in feeds], [], -1, None, None, int(batch_size))


def predict_program(graph, feeds, outputs, batch_size):
    return core.Program("predict", graph, [f._vid for f in feeds], [o._vid for o in outputs], -1, None, None, int(batch_size))


def batch_size_of(tensor):
    """A scalar tensor holding the number of rows of `tensor` in the running batch."""
    from pykerascore.backend.symbolic import emit

    return emit("batch_size", [tensor])
