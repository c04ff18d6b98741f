"""Optimizer identity: Keras 3 defaults, names, get / serialize / deserialize, get_config /
from_config round trips, and argument validation."""

import pytest

import pykerascore as keras

O = keras.optimizers

DEFAULTS = [
    (O.SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
    (O.RMSprop, {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}),
    (O.Adam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}),
    (O.AdamW, {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
               "amsgrad": False}),
    (O.Adagrad, {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7}),
    (O.Adadelta, {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
    (O.Adamax, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (O.Nadam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (O.Ftrl, {"learning_rate": 0.001, "learning_rate_power": -0.5, "initial_accumulator_value": 0.1,
              "l1_regularization_strength": 0.0, "l2_regularization_strength": 0.0,
              "l2_shrinkage_regularization_strength": 0.0, "beta": 0.0}),
    (O.Lion, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99}),
]
BASE = {"clipnorm": None, "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": None, "loss_scale_factor": None, "gradient_accumulation_steps": None}


@pytest.mark.parametrize("cls,defaults", DEFAULTS, ids=[c.__name__ for c, _ in DEFAULTS])
def test_defaults_are_keras_defaults(cls, defaults):
    config = cls().get_config()
    for key, value in {**BASE, **defaults}.items():
        assert config[key] == pytest.approx(value) if isinstance(value, float) else config[key] == value, key


@pytest.mark.parametrize("cls,defaults", DEFAULTS, ids=[c.__name__ for c, _ in DEFAULTS])
def test_config_round_trip(cls, defaults):
    opt = cls(learning_rate=0.02, clipnorm=1.5, use_ema=True, name="mine")
    again = cls.from_config(opt.get_config())
    assert again.get_config() == opt.get_config()
    assert again.name == "mine"


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam",
                                  "ftrl", "lion", "Adam", "RMSprop"])
def test_get_by_name(name):
    opt = O.get(name)
    assert type(opt).__name__.lower() == name.lower()


def test_get_passes_instances_and_dicts():
    adam = O.Adam()
    assert O.get(adam) is adam
    again = O.get(O.serialize(O.SGD(learning_rate=0.3, momentum=0.5)))
    assert isinstance(again, O.SGD) and again.momentum == 0.5 and again.learning_rate == pytest.approx(0.3)


def test_serialize_format():
    s = O.serialize(O.Nadam())
    assert s["class_name"] == "Nadam" and s["module"] == "keras.optimizers" and "config" in s


def test_unknown_identifier():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        O.get("nope")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        O.deserialize({"class_name": "Nope", "config": {}})


def test_default_names_are_snake_case():
    assert O.SGD().name == "sgd" and O.RMSprop().name == "rm_sprop" and O.Adam().name == "adam"


def test_argument_validation():
    with pytest.raises(ValueError, match="momentum"):
        O.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="learning_rate_power"):
        O.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        O.Ftrl(initial_accumulator_value=-1.0)
    with pytest.raises(ValueError, match="beta_1"):
        O.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        O.Adam(learning_rate="fast")
    with pytest.raises(ValueError, match="callable"):
        O.Adam(learning_rate=lambda: 0.1)


def test_decay_argument_warns():
    with pytest.warns(UserWarning, match="decay"):
        O.SGD(decay=0.1)


def test_iterations_start_at_zero():
    assert O.Adam().iterations == 0
