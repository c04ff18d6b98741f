"""initializers.get / serialize / deserialize: Keras 3 names, aliases, dicts, classes, arrays."""

import numpy as np
import pytest

from pykerascore import initializers as I

NAMES = {
    "zeros": I.Zeros, "Zeros": I.Zeros, "zero": I.Zeros, "ones": I.Ones, "one": I.Ones, "constant": I.Constant,
    "identity": I.Identity, "IdentityInitializer": I.Identity, "glorot_uniform": I.GlorotUniform,
    "GlorotUniform": I.GlorotUniform, "glorot_normal": I.GlorotNormal, "he_normal": I.HeNormal,
    "he_uniform": I.HeUniform, "lecun_normal": I.LecunNormal, "lecun_uniform": I.LecunUniform,
    "orthogonal": I.Orthogonal, "OrthogonalInitializer": I.Orthogonal, "random_normal": I.RandomNormal,
    "normal": I.RandomNormal, "random_uniform": I.RandomUniform, "uniform": I.RandomUniform,
    "truncated_normal": I.TruncatedNormal, "variance_scaling": I.VarianceScaling,
}


@pytest.mark.parametrize("name,cls", sorted(NAMES.items()))
def test_get_resolves_keras_names_and_aliases(name, cls):
    assert type(I.get(name)) is cls


def test_uniform_alias_has_keras_defaults():
    init = I.get("uniform")
    assert (init.minval, init.maxval) == (-0.05, 0.05)


def test_normal_alias_has_keras_defaults():
    init = I.get("normal")
    assert (init.mean, init.stddev) == (0.0, 0.05)


def test_unknown_or_miscased_name_raises():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        I.get("glorot_uniformm")
    with pytest.raises(ValueError):
        I.get("He_Normal")  # Keras's lookup is case-sensitive


def test_get_none_class_instance_and_callable():
    assert I.get(None) is None
    assert type(I.get(I.HeNormal)) is I.HeNormal
    inst = I.Ones()
    assert I.get(inst) is inst
    fn = lambda shape, dtype=None: np.full(shape, 3.0)  # noqa: E731
    assert I.get(fn) is fn


def test_get_array_gives_exact_values_and_checks_shape():
    value = np.arange(6.0).reshape(2, 3)
    init = I.get(value)
    np.testing.assert_array_equal(init((2, 3), dtype="float32"), value.astype("float32"))
    with pytest.raises(ValueError, match="Expected `shape`"):
        init((3, 2))


CONFIGURED = [I.Zeros(), I.Ones(), I.Constant(1.5), I.Identity(gain=2.0), I.RandomNormal(0.1, 0.2, seed=3),
              I.RandomUniform(-1.0, 2.0, seed=4), I.TruncatedNormal(0.0, 0.3, seed=5),
              I.VarianceScaling(2.0, "fan_out", "uniform", seed=6), I.GlorotUniform(seed=7), I.HeNormal(seed=8),
              I.Orthogonal(gain=0.5, seed=9)]


@pytest.mark.parametrize("init", CONFIGURED, ids=lambda i: type(i).__name__)
def test_serialize_round_trip(init):
    cfg = I.serialize(init)
    assert cfg["module"] == "keras.initializers" and cfg["class_name"] == type(init).__name__
    back = I.deserialize(cfg)
    assert type(back) is type(init) and back.get_config() == init.get_config()
    np.testing.assert_array_equal(back((4, 3)), init((4, 3)))


def test_get_accepts_a_config_dict():
    init = I.get({"class_name": "RandomUniform", "config": {"minval": 0.0, "maxval": 1.0, "seed": 1}})
    assert isinstance(init, I.RandomUniform) and init.maxval == 1.0


def test_named_variance_scaling_config_is_keras_shape():
    assert I.HeNormal(seed=2).get_config() == {"seed": 2, "input_axes": None, "output_axes": None}
    assert I.VarianceScaling().get_config() == {"seed": None, "scale": 1.0, "mode": "fan_in",
                                               "distribution": "truncated_normal", "input_axes": None,
                                               "output_axes": None}


def test_clone_keeps_the_config():
    init = I.RandomNormal(stddev=0.3, seed=11)
    np.testing.assert_array_equal(init.clone()((5,)), init((5,)))
