"""GeneratorDataAdapter: unpacking (F3), peeking, steps per epoch, errors (D4, D5), and the
background thread used when workers > 1."""

import collections
import time

import numpy as np
import pytest

from pykerascore.trainers.data_adapters.prefetch import BackgroundIterator
from pykerascore.trainers.data_adapters import GeneratorDataAdapter, get_data_adapter, unpack_x_y_sample_weight


def _gen(n=3, rows=4, form="xy"):
    for i in range(n):
        x = np.full((rows, 2), i, "float32")
        y = np.full((rows,), i, "int64")
        yield {"x": x, "x1": (x,), "xy": (x, y), "xysw": (x, y, np.ones(rows)), "list": [x, y]}[form]


@pytest.mark.parametrize("data,expected", [
    ((1,), (1, None, None)),
    ((1, 2), (1, 2, None)),
    ((1, 2, 3), (1, 2, 3)),
    ([1, 2], (1, 2, None)),
    ({"a": 1}, ({"a": 1}, None, None)),
    (5, (5, None, None)),
])
def test_unpack_x_y_sample_weight(data, expected):
    assert unpack_x_y_sample_weight(data) == expected


def test_unpack_tuple_of_four_raises():
    with pytest.raises(ValueError, match=r"\(x, y, sample_weight\)"):
        unpack_x_y_sample_weight((1, 2, 3, 4))


@pytest.mark.parametrize("form", ["x", "x1", "xy", "xysw", "list"])
def test_batch_forms_become_x_y_sw(form):
    batches = list(get_data_adapter(_gen(form=form)).get_numpy_iterator())
    assert len(batches) == 3
    x, y, sw = batches[2]
    assert x.shape == (4, 2) and x[0, 0] == 2
    assert (y is None) == (form in ("x", "x1"))
    assert (sw is None) == (form != "xysw")


def test_dict_batches_stay_whole():
    def gen():
        yield {"a": np.zeros((2, 1)), "b": np.ones((2, 3))}, np.zeros(2)

    x, y, _ = next(get_data_adapter(gen()).get_numpy_iterator())
    assert set(x) == {"a", "b"} and x["b"].shape == (2, 3)


def test_peek_keeps_first_batch():
    a = get_data_adapter(_gen())
    assert a.peek()[0][0, 0] == 0
    assert [b[0][0, 0] for b in a.get_numpy_iterator()] == [0, 1, 2]


def test_num_batches_unknown_without_steps():
    assert get_data_adapter(_gen()).num_batches is None


def test_steps_per_epoch_splits_stream_into_epochs():
    a = get_data_adapter((np.full((1, 1), i) for i in range(5)), steps_per_epoch=2)
    assert a.num_batches == 2
    epochs = [[int(b[0][0, 0]) for b in a.get_numpy_iterator()] for _ in range(3)]
    assert epochs == [[0, 1], [2, 3], [4]]


def test_plain_iterator_is_accepted():
    a = get_data_adapter(iter([(np.zeros((2, 1)), np.zeros(2))]))
    assert isinstance(a, GeneratorDataAdapter) and len(list(a.get_numpy_iterator())) == 1


def test_empty_generator_raises_on_first_request():
    a = get_data_adapter(_gen(n=0))  # construction does not consume
    with pytest.raises(ValueError, match="yielded no batches"):
        next(a.get_numpy_iterator())


def test_namedtuple_batch_raises():
    Batch = collections.namedtuple("Batch", ["x", "y"])

    def gen():
        yield Batch(np.zeros((2, 1)), np.zeros(2))

    with pytest.raises(ValueError, match="namedtuple.*Batch.*tuple.*dict"):
        next(get_data_adapter(gen()).get_numpy_iterator())


def test_non_numeric_batch_raises():
    def gen():
        yield np.full((2, 1), "s"), np.zeros(2)

    with pytest.raises(ValueError, match=r"x must be numeric.*<U1"):
        next(get_data_adapter(gen()).get_numpy_iterator())


def test_y_with_generator_raises():
    with pytest.raises(ValueError, match="When providing `x` as a generator, `y` should not be passed"):
        get_data_adapter(_gen(), np.zeros(3))


def test_sample_weight_with_generator_raises():
    with pytest.raises(ValueError, match="`sample_weights` should not be passed"):
        get_data_adapter(_gen(), sample_weight=np.zeros(3))


def test_shuffle_with_generator_warns():
    with pytest.warns(UserWarning, match="shuffle=True.*ignored"):
        get_data_adapter(_gen(), shuffle=True)


def test_background_thread_gives_same_batches():
    a = get_data_adapter(_gen(n=6, form="xysw"), workers=2, max_queue_size=2)
    assert [int(b[0][0, 0]) for b in a.get_numpy_iterator()] == list(range(6))
    a.close()


def test_background_thread_respects_max_queue_size():
    pulled = []

    def gen():
        for i in range(20):
            pulled.append(i)
            yield np.full((1, 1), i)

    a = get_data_adapter(gen(), workers=2, max_queue_size=3)
    it = a.get_numpy_iterator()
    for consumed in range(1, 6):
        next(it)
        time.sleep(0.05)  # give the thread every chance to run ahead
        assert len(pulled) <= consumed + 3
    a.close()


def test_background_thread_forwards_exceptions():
    def gen():
        yield np.zeros((1, 1))
        raise RuntimeError("boom in generator")

    it = get_data_adapter(gen(), workers=2).get_numpy_iterator()
    next(it)
    with pytest.raises(RuntimeError, match="boom in generator"):
        next(it)


def test_close_stops_background_thread():
    a = get_data_adapter((np.zeros((1, 1)) for _ in iter(int, 1)), workers=2, max_queue_size=2)  # endless
    next(a.get_numpy_iterator())
    thread = a._source._thread
    a.close()
    thread.join(2)
    assert not thread.is_alive()


def test_multiprocessing_generator_warns_and_uses_a_thread():
    with pytest.warns(UserWarning, match="use_multiprocessing=True.*generator"):
        a = get_data_adapter(_gen(), use_multiprocessing=True)
    assert len(list(a.get_numpy_iterator())) == 3
    assert isinstance(a._source, BackgroundIterator)
    a.close()
