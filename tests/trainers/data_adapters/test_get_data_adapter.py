"""get_data_adapter: which adapter each input kind gets, and the "not supported" errors."""

import collections

import numpy as np
import pytest

from pykerascore.trainers.data_adapters import (
    ArrayDataAdapter,
    GeneratorDataAdapter,
    IterableDataAdapter,
    get_data_adapter,
)


class Batches:
    def __iter__(self):
        yield np.zeros((2, 1))


@pytest.mark.parametrize("x,kind", [
    (np.zeros((3, 1)), ArrayDataAdapter),
    ([np.zeros((3, 1)), np.zeros((3, 2))], ArrayDataAdapter),
    ({"a": np.zeros((3, 1))}, ArrayDataAdapter),
    ((np.zeros((2, 1)) for _ in range(1)), GeneratorDataAdapter),
    (Batches(), IterableDataAdapter),
])
def test_each_input_kind_gets_its_adapter(x, kind):
    assert isinstance(get_data_adapter(x), kind)


def test_an_adapter_passes_through():
    a = get_data_adapter(np.zeros((3, 1)))
    assert get_data_adapter(a) is a


def test_unsupported_type_is_named():
    with pytest.raises(ValueError, match="Unrecognized data type: x of type str"):
        get_data_adapter("data.csv")


def test_unsupported_leaf_type_is_named():
    with pytest.raises(ValueError, match=r"unsupported element types: \['object'\]"):
        get_data_adapter([np.zeros((3, 1)), object()])


def test_none_x_raises():
    with pytest.raises(ValueError, match="non-empty"):
        get_data_adapter(None)


def test_namedtuple_y_raises():
    Out = collections.namedtuple("Out", ["a"])
    with pytest.raises(ValueError, match="`y`.*namedtuple"):
        get_data_adapter(np.zeros((3, 1)), Out(np.zeros(3)))


@pytest.mark.parametrize("steps", [0, -2, 1.5, True])
def test_bad_steps_per_epoch_for_generator_raises(steps):
    with pytest.raises(ValueError, match="steps_per_epoch"):
        get_data_adapter((np.zeros((1, 1)) for _ in range(1)), steps_per_epoch=steps)


def test_steps_minus_one_means_endless():
    a = get_data_adapter((np.zeros((1, 1)) for _ in range(1)), steps_per_epoch=-1)
    assert a.num_batches is None


def test_class_weight_is_carried_not_applied():
    a = get_data_adapter(np.zeros((3, 1)), np.zeros(3), class_weight={0: 2.0})
    x, y, sw = a.arrays()
    assert a.class_weight == {0: 2.0} and sw is None
