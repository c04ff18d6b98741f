"""Constraint formulas (Keras 3, epsilon 1e-7) vs NumPy on arrays, and get / serialize /
deserialize with Keras's names."""

import numpy as np
import pytest

from pykerascore import constraints as C
from .refs import max_norm_ref, min_max_norm_ref, unit_norm_ref

W = np.random.default_rng(0).normal(size=(4, 3, 2)).astype("float32") * 2.0


AXES = [0, 1, -1, [0, 1], None]


@pytest.mark.parametrize("axis", AXES, ids=str)
def test_max_norm(axis):
    np.testing.assert_allclose(C.MaxNorm(1.5, axis=axis)(W), max_norm_ref(W, 1.5, axis), rtol=1e-5, atol=1e-6)


def test_non_neg():
    np.testing.assert_array_equal(C.NonNeg()(W), np.maximum(W, 0))


@pytest.mark.parametrize("axis", AXES, ids=str)
def test_unit_norm(axis):
    np.testing.assert_allclose(C.UnitNorm(axis=axis)(W), unit_norm_ref(W, axis), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rate", [1.0, 0.3])
def test_min_max_norm(rate):
    np.testing.assert_allclose(C.MinMaxNorm(1.0, 2.0, rate=rate, axis=0)(W), min_max_norm_ref(W, 1.0, 2.0, rate, 0),
                               rtol=1e-5, atol=1e-6)


def test_defaults_are_keras():
    assert C.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert C.UnitNorm().get_config() == {"axis": 0}
    assert C.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}


def test_base_constraint_is_identity():
    assert C.Constraint()(W) is W


NAMES = {"max_norm": C.MaxNorm, "MaxNorm": C.MaxNorm, "non_neg": C.NonNeg, "NonNeg": C.NonNeg,
         "unit_norm": C.UnitNorm, "UnitNorm": C.UnitNorm, "min_max_norm": C.MinMaxNorm, "MinMaxNorm": C.MinMaxNorm}


@pytest.mark.parametrize("name,cls", sorted(NAMES.items()))
def test_get_by_name(name, cls):
    assert type(C.get(name)) is cls


def test_unknown_name_raises():
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        C.get("nonneg")


def test_serialize_round_trip():
    assert C.serialize(C.NonNeg()) == {"module": "keras.constraints", "class_name": "NonNeg", "config": {},
                                       "registered_name": None}
    for c in (C.MaxNorm(3.0, axis=1), C.UnitNorm(axis=[0, 1]), C.MinMaxNorm(0.5, 2.0, 0.7, 1)):
        back = C.deserialize(C.serialize(c))
        assert type(back) is type(c) and back.get_config() == c.get_config()
    assert C.get(None) is None and C.serialize(None) is None
