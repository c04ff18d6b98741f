"""Model rows M1-M6: functional structures, Sequential add/pop/deferred build, subclassing,
custom layers, model(x), and the documented attributes."""

import numpy as np
import pytest

import pykerascore as keras
from pykerascore import ops


class Scale(keras.layers.Layer):
    """A custom layer written with pykerascore.ops: y = x * w + b (per feature)."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.init), name="w")
        self.b = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="b")

    def call(self, x):
        return ops.add(ops.multiply(x, self.w), self.b)

    def get_config(self):
        return {**super().get_config(), "init": self.init}


def test_functional_list_inputs_and_outputs():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = keras.layers.Concatenate()([a, b])
    out1, out2 = keras.layers.Dense(1, name="o1")(h), keras.layers.Dense(2, name="o2")(h)
    m = keras.Model([a, b], [out1, out2])
    p = m.predict([np.ones((4, 3)), np.ones((4, 2))], verbose=0)
    assert isinstance(p, list) and p[0].shape == (4, 1) and p[1].shape == (4, 2)
    assert len(m.inputs) == 2 and len(m.outputs) == 2


def test_functional_dict_outputs_keep_their_structure():
    a = keras.Input((3,), name="a")
    m = keras.Model(a, {"x": keras.layers.Dense(1)(a), "y": keras.layers.Dense(2)(a)})
    p = m.predict(np.ones((5, 3)), verbose=0)
    assert set(p) == {"x", "y"} and p["y"].shape == (5, 2)


def test_functional_input_name_and_batch_size():
    t = keras.Input(shape=(4,), batch_size=8, name="feat", dtype="float32")
    assert t.shape == (8, 4) and t.dtype == "float32"
    m = keras.Model(t, keras.layers.Dense(2)(t))
    assert m.layers[0].name == "feat"


def test_sequential_add_pop_and_layers():
    m = keras.Sequential()
    m.add(keras.Input((4,)))
    m.add(keras.layers.Dense(3))
    m.add(keras.layers.Dense(2))
    assert [type(l).__name__ for l in m.layers] == ["Dense", "Dense"]
    assert m.predict(np.ones((2, 4)), verbose=0).shape == (2, 2)
    m.pop()
    assert len(m.layers) == 1 and m.predict(np.ones((2, 4)), verbose=0).shape == (2, 3)


def test_sequential_input_shape_argument_on_first_layer():
    m = keras.Sequential([keras.layers.Dense(3, input_shape=(5,)), keras.layers.Dense(1)])
    assert m.built and m.inputs[0].shape == (None, 5)


def test_sequential_rejects_non_layers():
    with pytest.raises(ValueError, match="Layer"):
        keras.Sequential([object()])


def test_custom_layer_trains_and_round_trips_its_config():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x * np.array([2.0, -1.0, 0.5], "float32") + 1.0
    m = keras.Sequential([keras.Input((3,)), Scale(init=0.5)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    h = m.fit(x, y, epochs=150, verbose=0)
    assert h.history["loss"][-1] < 1e-3
    layer = m.layers[0]
    clone = Scale.from_config(layer.get_config())
    assert clone.init == 0.5 and clone.name == layer.name


def test_model_call_with_training_flag_on_arrays():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    x = np.ones((3, 4), "float32")
    np.testing.assert_allclose(m(x, training=False), m.predict(x, verbose=0), rtol=1e-6)


def test_attributes_weights_and_freezing():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    assert len(m.weights) == 8  # kernel, bias, gamma, beta, moving_mean, moving_var, kernel, bias
    assert len(m.trainable_weights) == 6 and len(m.non_trainable_weights) == 2
    m.layers[0].trainable = False
    assert len(m.trainable_weights) == 4
    m.trainable = False
    assert m.trainable_weights == [] and len(m.non_trainable_weights) == 8


def test_frozen_layer_is_not_updated_by_fit():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    m.layers[0].trainable = False
    before = m.layers[0].get_weights()
    m.compile(optimizer="sgd", loss="mse")
    m.fit(np.ones((16, 4)), np.ones((16, 1)), verbose=0)
    for a, b in zip(before, m.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_compiled_state_optimizer_loss_and_flags():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert not m.compiled
    m.compile(optimizer="adam", loss="mse")
    assert m.compiled and isinstance(m.optimizer, keras.optimizers.Adam) and m.loss == "mse"
    assert m.run_eagerly is False and m.stop_training is False
    m.run_eagerly = True
    assert m.run_eagerly is True


def test_get_and_set_weights_round_trip():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    w = [np.full(v.shape, i, "float32") for i, v in enumerate(m.get_weights())]
    m.set_weights(w)
    for a, b in zip(m.get_weights(), w):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="expecting 4 weights"):
        m.set_weights(w[:2])


def test_input_spec_describes_the_inputs():
    a = keras.Input((3,), name="a")
    m = keras.Model(a, keras.layers.Dense(1)(a))
    spec = m.input_spec
    specs = spec if isinstance(spec, list) else [spec]
    assert specs[0].shape == (None, 3)


def test_reset_states_reaches_stateful_layers():
    class Counter(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.resets = 0

        def call(self, x):
            return x

        def reset_states(self):
            self.resets += 1

    counter = Counter()
    m = keras.Sequential([keras.Input((2,)), counter, keras.layers.Dense(1)])
    m.reset_states()
    assert counter.resets == 1
