"""The `embedding` op: gather vs NumPy for integer and float indices, out-of-range errors naming
the layer and range, and the scatter-add gradient vs finite differences (float64)."""
import numpy as np
import pytest

from .opcheck import check_grad64, run


@pytest.mark.parametrize("idx_dtype", ["int32", "int64", "uint8", "float32", "float64"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gather_matches_numpy(idx_dtype, dtype):
    table = np.random.default_rng(0).normal(size=(10, 4)).astype(dtype)
    idx = np.array([[0, 3, 9], [3, 3, 1]]).astype(idx_dtype)
    y = run("embedding", [idx, table])
    assert y.shape == (2, 3, 4) and y.dtype == dtype
    np.testing.assert_array_equal(y, table[idx.astype(np.int64)])


def test_float_indices_truncate_like_a_cast_to_int():
    table = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = run("embedding", [np.array([2.7, 0.2], np.float32), table])
    np.testing.assert_array_equal(y, table[[2, 0]])


@pytest.mark.parametrize("bad", [10, -1])
def test_out_of_range_index_raises_value_error(bad):
    table = np.zeros((10, 4), np.float32)
    with pytest.raises(ValueError, match=rf"my_embedding: index {bad} is out of range.*\[0, 10\)"):
        run("embedding", [np.array([1, bad], np.int32), table], name="my_embedding")


def test_nan_index_raises_value_error():
    with pytest.raises(ValueError, match="out of range"):
        run("embedding", [np.array([np.nan], np.float32), np.zeros((3, 2), np.float32)])


def test_table_must_be_2d():
    with pytest.raises(ValueError, match="emb: the embedding table must be 2-D"):
        run("embedding", [np.array([1], np.int32), np.zeros((3,), np.float32)], name="emb")


def test_gradient_scatter_adds_repeated_rows():
    table = np.random.default_rng(1).normal(size=(6, 3))
    idx = np.array([[1, 4, 1], [0, 1, 5]], np.int64)
    (gt,) = check_grad64("embedding", [idx, table], [1])
    assert np.all(gt[[2, 3]] == 0)  # rows never looked up get no gradient
