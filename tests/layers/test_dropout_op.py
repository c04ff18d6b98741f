"""The `dropout` op: mask from (seed, step, index) only (NumPy Philox reference), Keras scaling,
noise_shape broadcasting, gradient = same mask and scale, shape-rule errors."""
import numpy as np
import pytest

from .opcheck import check_grad64, run
from .philox_ref import keep_mask

SEED = 123456789012345


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_matches_philox_reference(dtype):
    x = np.random.default_rng(0).normal(size=(5, 7)).astype(dtype)
    y = run("dropout", [x], {"rate": 0.3, "seed": SEED})
    keep = keep_mask(SEED, 0, x.size, 0.3).reshape(x.shape)
    ref = np.where(keep, x / np.asarray(1.0 - 0.3, dtype), 0).astype(dtype)
    np.testing.assert_array_equal(y, ref)


def test_step_offset_selects_the_step_stream():
    x = np.ones((64,), np.float32)
    y = run("dropout", [x], {"rate": 0.5, "seed": 7, "step_offset": 3})
    np.testing.assert_array_equal(y != 0, keep_mask(7, 3, 64, 0.5))


def test_same_seed_and_step_same_mask_different_step_different_mask():
    x = np.ones((256,), np.float32)
    a = run("dropout", [x], {"rate": 0.5, "seed": 11, "step_offset": 4})
    b = run("dropout", [x], {"rate": 0.5, "seed": 11, "step_offset": 4})
    c = run("dropout", [x], {"rate": 0.5, "seed": 11, "step_offset": 5})
    d = run("dropout", [x], {"rate": 0.5, "seed": 12, "step_offset": 4})
    np.testing.assert_array_equal(a, b)
    assert (a != c).any() and (a != d).any()


def test_keep_fraction_is_one_minus_rate():
    y = run("dropout", [np.ones((200_000,), np.float32)], {"rate": 0.3, "seed": 5})
    assert abs((y != 0).mean() - 0.7) < 0.005
    np.testing.assert_allclose(y[y != 0], np.float32(1) / np.float32(0.7))


def test_rate_one_gives_zeros():
    y = run("dropout", [np.ones((3, 4), np.float32)], {"rate": 1.0, "seed": 5})
    np.testing.assert_array_equal(y, 0)


def test_noise_shape_broadcasts_the_mask():
    x = np.random.default_rng(1).normal(size=(4, 6, 3)).astype(np.float32) + 5
    y = run("dropout", [x], {"rate": 0.5, "seed": 9, "noise_shape": [-1, 1, 3]})
    keep = keep_mask(9, 0, 4 * 3, 0.5).reshape(4, 1, 3)
    np.testing.assert_array_equal(y != 0, np.broadcast_to(keep, x.shape))


@pytest.mark.parametrize("noise_shape", [None, [1, 4]])
def test_gradient_is_masked_and_scaled(noise_shape):
    x = np.random.default_rng(2).normal(size=(3, 4))
    attrs = {"rate": 0.4, "seed": 21, **({"noise_shape": noise_shape} if noise_shape else {})}
    (gx,) = check_grad64("dropout", [x], [0], attrs)
    y = run("dropout", [x], attrs)
    assert np.all(gx[y == 0] == 0)


def test_invalid_rate_is_rejected_before_running():
    with pytest.raises(ValueError, match="rate"):
        run("dropout", [np.ones((2,), np.float32)], {"rate": 1.5, "seed": 1}, name="my_dropout")


def test_noise_shape_must_broadcast():
    with pytest.raises(ValueError, match="my_dropout.*noise_shape"):
        run("dropout", [np.ones((2, 3), np.float32)], {"rate": 0.5, "seed": 1, "noise_shape": [2, 2]}, name="my_dropout")
