"""Data adapters: one class per input kind, one dispatcher.

Arguments owned here: x, y, sample_weight, batch_size, shuffle. The array adapter hands the
whole arrays to the engine, which gathers each batch by index; nothing is sliced in Python.
"""

from pykerascore.trainers.data_adapters.array_data_adapter import ArrayDataAdapter


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False):
    if ArrayDataAdapter.can_handle(x, y):
        return ArrayDataAdapter(x, y, sample_weight=sample_weight, batch_size=batch_size, shuffle=shuffle)
    raise ValueError(
        f"Unrecognized data type: x={type(x).__name__}, y={type(y).__name__}. pykerascore accepts NumPy arrays, "
        "array-likes, and lists/dicts of them."
    )
