"""ArrayDataAdapter: whole arrays for the engine, eager batches, validation errors, pandas, and
train_validation_split (last fraction, before shuffling)."""

import numpy as np
import pytest

from pykerascore.trainers.data_adapters import ArrayDataAdapter, get_data_adapter, train_validation_split

X = np.arange(20, dtype="float32").reshape(10, 2)
Y = np.arange(10, dtype="int64")


def test_arrays_returns_whole_arrays():
    a = get_data_adapter(X, Y, batch_size=4)
    assert a.is_array
    x, y, sw = a.arrays()
    assert len(x) == 1 and x[0] is X and y[0] is Y and sw is None


def test_num_batches_counts_partial_last_batch():
    a = get_data_adapter(X, Y, batch_size=4)
    assert (a.num_batches, a.batch_size, a.num_samples, a.has_partial_batch) == (3, 4, 10, True)


def test_batch_size_defaults_to_32_or_from_steps():
    assert get_data_adapter(np.zeros((100, 1)), batch_size=None).batch_size == 32
    assert get_data_adapter(np.zeros((100, 1)), steps_per_epoch=3).batch_size == 34


def test_eager_iterator_sizes_and_order():
    batches = list(get_data_adapter(X, Y, batch_size=4).get_numpy_iterator())
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), Y)
    assert all(b[2] is None for b in batches)


def test_eager_iterator_shuffle_changes_per_epoch_and_keeps_rows_paired():
    a = get_data_adapter(X, Y, batch_size=4, shuffle=True)
    first = np.concatenate([b[1] for b in a.get_numpy_iterator()])
    a.on_epoch_end()
    second = np.concatenate([b[1] for b in a.get_numpy_iterator()])
    assert sorted(first) == list(range(10)) and not np.array_equal(first, second)
    for xb, yb, _ in a.get_numpy_iterator():
        np.testing.assert_array_equal(xb[:, 0], yb * 2)


def test_eager_iterator_batch_shuffle_stays_within_batches():
    a = get_data_adapter(X, Y, batch_size=4, shuffle="batch")
    for i, (_, yb, _) in enumerate(a.get_numpy_iterator()):
        assert sorted(yb) == list(range(4 * i, min(4 * i + 4, 10)))


def test_dict_x_and_y_keep_structure():
    x = {"b": X, "a": X[:, :1]}
    y = {"out": Y}
    a = get_data_adapter(x, y, batch_size=5)
    assert set(a.x_struct) == {"a", "b"} and a.y_struct.keys() == {"out"}
    assert [t.shape for t in a.x] == [(10, 1), (10, 2)]  # flat order: sorted keys
    xb, yb, _ = next(a.get_numpy_iterator())
    assert xb["b"].shape == (5, 2) and yb["out"].shape == (5,)


def test_list_x_flattens_in_order():
    a = get_data_adapter([X, X[:, :1]], Y)
    assert [t.shape for t in a.x] == [(10, 2), (10, 1)]


def test_dict_sample_weight_matches_dict_y():
    sw = {"out": np.ones(10)}
    a = get_data_adapter(X, {"out": Y}, sample_weight=sw, batch_size=4)
    _, _, swb = next(a.get_numpy_iterator())
    assert swb["out"].shape == (4,)


def test_sample_weight_structure_mismatch_raises():
    with pytest.raises(ValueError, match="one `sample_weight` array per output"):
        get_data_adapter(X, {"a": Y, "b": Y}, sample_weight={"a": np.ones(10)})


def test_dtypes_kept_and_float16_widened():
    a = get_data_adapter(np.zeros((4, 2), "int32"), np.zeros(4, bool), sample_weight=np.ones(4, "float16"))
    x, y, sw = a.arrays()
    assert (x[0].dtype, y[0].dtype, sw.dtype) == (np.int32, np.bool_, np.float32)


def test_non_contiguous_rows_are_copied_once():
    a = get_data_adapter(np.zeros((4, 6))[:, ::2])
    assert a.x[0].flags.c_contiguous


def test_cardinality_error_names_each_array_and_size():
    with pytest.raises(ValueError, match=r"x\[0\]: 10, x\[1\]: 9, y: 10"):
        get_data_adapter([X, X[:9]], Y)


def test_non_numeric_error_names_input_and_dtype():
    with pytest.raises(ValueError, match=r"y\['out'\] must be numeric.*dtype <U1"):
        get_data_adapter(X, {"out": np.full(10, "a")})


def test_empty_input_raises():
    with pytest.raises(ValueError, match="non-empty"):
        get_data_adapter(np.zeros((0, 2)), np.zeros(0))


def test_scalar_input_raises():
    with pytest.raises(ValueError, match="batch dimension"):
        ArrayDataAdapter(np.float32(3.0))


def test_namedtuple_x_raises():
    import collections

    Pair = collections.namedtuple("Pair", ["a", "b"])
    with pytest.raises(ValueError, match="namedtuple.*convert it to a plain tuple"):
        get_data_adapter(Pair(X, X), Y)


def test_class_weight_with_sample_weight_raises():
    with pytest.raises(ValueError, match="class_weight.*sample_weight"):
        get_data_adapter(X, Y, sample_weight=np.ones(10), class_weight={0: 1.0})


def test_pandas_dataframe_and_series():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"f0": X[:, 0], "f1": X[:, 1]})
    a = get_data_adapter(df, pd.Series(Y), batch_size=4)
    x, y, _ = a.arrays()
    assert isinstance(x[0], np.ndarray) and x[0].shape == (10, 2) and y[0].shape == (10,)
    np.testing.assert_array_equal(x[0], X)


def test_pandas_non_numeric_column_raises():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"f0": X[:, 0], "name": ["a"] * 10})
    with pytest.raises(ValueError, match="x must be numeric.*object"):
        get_data_adapter(df, Y)


def test_split_takes_last_fraction():
    (tx, ty, tsw), (vx, vy, vsw) = train_validation_split((X, Y, None), 0.2)
    np.testing.assert_array_equal(ty, Y[:8])
    np.testing.assert_array_equal(vy, Y[8:])
    assert tx.shape == (8, 2) and vx.shape == (2, 2) and tsw is None and vsw is None


def test_split_keeps_dict_structure():
    (tx, _), (vx, _) = train_validation_split(({"a": X}, Y), 0.5)
    assert tx["a"].shape == (5, 2) and vx["a"].shape == (5, 2)


def test_split_refuses_generators():
    with pytest.raises(ValueError, match="only supported for NumPy arrays.*generator"):
        train_validation_split(((b for b in []), None, None), 0.2)


def test_split_too_few_samples_raises():
    with pytest.raises(ValueError, match="not sufficient to split"):
        train_validation_split((X[:1], Y[:1]), 0.3)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, True])
def test_split_fraction_out_of_range_raises(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        train_validation_split((X, Y), fraction)
