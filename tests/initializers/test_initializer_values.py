"""Initializer values: constants exactly, random ones by their limits and moments (Keras's
formulas; the random streams are NumPy's), seeding as Keras (a seeded or constructed instance
repeats itself; separate unseeded instances differ)."""

import math

import numpy as np
import pytest

from pykerascore import initializers as I
from pykerascore.utils import rng

N = (400, 500)  # 200k draws: sample moments within ~1%


def test_zeros_ones_constant_identity():
    np.testing.assert_array_equal(I.Zeros()((2, 3)), np.zeros((2, 3), "float32"))
    np.testing.assert_array_equal(I.Ones()((4,), dtype="float64"), np.ones(4))
    np.testing.assert_array_equal(I.Constant(2.5)((2, 2)), np.full((2, 2), 2.5, "float32"))
    np.testing.assert_array_equal(I.Identity(gain=3.0)((2, 3)), 3.0 * np.eye(2, 3, dtype="float32"))


def test_identity_rejects_non_matrices():
    with pytest.raises(ValueError, match="2D matrices"):
        I.Identity()((2, 2, 2))


def test_default_dtype_is_float32_and_dtype_is_honoured():
    assert I.RandomNormal(seed=1)((3,)).dtype == np.float32
    assert I.GlorotUniform(seed=1)((3, 3), dtype="float64").dtype == np.float64


def test_random_uniform_limits_and_mean():
    w = I.RandomUniform(-0.3, 0.7, seed=0)(N)
    assert w.min() >= -0.3 and w.max() < 0.7
    assert abs(w.mean() - 0.2) < 0.005 and abs(w.std() - 1.0 / math.sqrt(12)) < 0.003


def test_random_normal_moments():
    w = I.RandomNormal(mean=0.5, stddev=2.0, seed=0)(N)
    assert abs(w.mean() - 0.5) < 0.02 and abs(w.std() - 2.0) < 0.02


def test_truncated_normal_cuts_at_two_stddev():
    w = I.TruncatedNormal(mean=1.0, stddev=0.5, seed=0)(N)
    assert w.min() >= 0.0 and w.max() <= 2.0
    assert abs(w.mean() - 1.0) < 0.005
    assert abs(w.std() - 0.5 * 0.87962566103423978) < 0.004


FAN_SHAPES = [(3, 5), (64, 10), (7,), (3, 3, 4, 8), ()]


@pytest.mark.parametrize("shape", FAN_SHAPES)
def test_compute_fans_follows_keras(shape):
    if len(shape) == 0:
        want = (1, 1)
    elif len(shape) == 1:
        want = (shape[0], shape[0])
    elif len(shape) == 2:
        want = shape
    else:
        rf = int(np.prod(shape[:-2]))
        want = (shape[-2] * rf, shape[-1] * rf)
    assert I.compute_fans(shape) == tuple(want)


UNIFORM = [("glorot_uniform", lambda fi, fo: 1.0 / max(1.0, (fi + fo) / 2.0)),
           ("he_uniform", lambda fi, fo: 2.0 / max(1.0, fi)),
           ("lecun_uniform", lambda fi, fo: 1.0 / max(1.0, fi))]


@pytest.mark.parametrize("name,variance", UNIFORM, ids=[u[0] for u in UNIFORM])
@pytest.mark.parametrize("shape", [(300, 200), (40, 700), (3, 3, 16, 32)])
def test_variance_scaling_uniform_limit(name, variance, shape):
    limit = math.sqrt(3.0 * variance(*I.compute_fans(shape)))
    init = I.get(name)
    init.seed = 0
    w = init(shape)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    assert abs(w.std() - limit / math.sqrt(3)) < 0.01 * limit


NORMAL = [("glorot_normal", lambda fi, fo: 1.0 / max(1.0, (fi + fo) / 2.0)),
          ("he_normal", lambda fi, fo: 2.0 / max(1.0, fi)),
          ("lecun_normal", lambda fi, fo: 1.0 / max(1.0, fi))]


@pytest.mark.parametrize("name,variance", NORMAL, ids=[n[0] for n in NORMAL])
@pytest.mark.parametrize("shape", [(300, 200), (3, 3, 16, 32)])
def test_variance_scaling_truncated_normal_bound_and_std(name, variance, shape):
    # Keras divides the stddev by the truncated unit normal's stddev, so the draws keep the
    # target variance; they are cut at 2 of the (corrected) stddevs.
    target = math.sqrt(variance(*I.compute_fans(shape)))
    init = I.get(name)
    init.seed = 0
    w = init(shape)
    assert np.abs(w).max() <= 2.0 * target / 0.87962566103423978
    assert abs(w.std() - target) < 0.01 * target


def test_variance_scaling_untruncated_normal_and_modes():
    w = I.VarianceScaling(scale=3.0, mode="fan_out", distribution="untruncated_normal", seed=0)((200, 1000))
    assert abs(w.std() - math.sqrt(3.0 / 1000)) < 0.01 * math.sqrt(3.0 / 1000)
    assert np.abs(w).max() > 2.5 * math.sqrt(3.0 / 1000)  # not truncated


def test_variance_scaling_explicit_axes():
    w = I.VarianceScaling(mode="fan_in", distribution="uniform", input_axes=[0, 1], output_axes=[2], seed=0)((10, 20, 30))
    assert np.abs(w).max() <= math.sqrt(3.0 / 200)


@pytest.mark.parametrize("kwargs,match", [({"scale": 0.0}, "scale"), ({"mode": "fan"}, "mode"),
                                          ({"distribution": "cauchy"}, "distribution")])
def test_variance_scaling_validates_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        I.VarianceScaling(**kwargs)


def test_variance_scaling_normal_means_truncated():
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (2, 3, 5)])
def test_orthogonal_is_orthonormal_times_gain(shape):
    w = I.Orthogonal(gain=2.0, seed=1)(shape, dtype="float64").reshape(-1, shape[-1])
    small = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-10)


def test_orthogonal_rejects_vectors():
    with pytest.raises(ValueError, match="at least two-dimensional"):
        I.Orthogonal()((5,))


def test_invalid_seed_raises():
    with pytest.raises(ValueError, match="seed"):
        I.RandomNormal(seed="abc")


def test_same_seed_gives_same_values():
    np.testing.assert_array_equal(I.HeUniform(seed=42)((5, 5)), I.HeUniform(seed=42)((5, 5)))


def test_different_seeds_give_different_values():
    assert not np.array_equal(I.HeUniform(seed=1)((5, 5)), I.HeUniform(seed=2)((5, 5)))


def test_an_instance_repeats_its_values_as_keras():
    init = I.RandomNormal()  # unseeded: the seed is drawn once, at construction
    np.testing.assert_array_equal(init((4,)), init((4,)))


def test_unseeded_instances_differ():
    assert not np.array_equal(I.GlorotUniform()((5, 5)), I.GlorotUniform()((5, 5)))


def test_set_random_seed_makes_unseeded_instances_reproducible():
    rng.set_random_seed(123)
    a = I.GlorotNormal()((5, 5))
    rng.set_random_seed(123)
    b = I.GlorotNormal()((5, 5))
    np.testing.assert_array_equal(a, b)
