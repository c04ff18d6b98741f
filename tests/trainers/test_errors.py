"""Bad input raises a clear exception naming the input and shapes -- never a crash."""

import numpy as np
import pytest

import pykerascore as keras


def _model(compiled=True):
    m = keras.Sequential([keras.Input((16,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    if compiled:
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


X = np.zeros((20, 16), "float32")
Y = np.zeros((20,), "int64")


def test_wrong_feature_count_names_the_shapes():
    with pytest.raises(ValueError, match=r"expected shape=\(None, 16\), found shape=\(20, 8\)"):
        _model().fit(np.zeros((20, 8), "float32"), Y, verbose=0)


def test_wrong_feature_count_in_predict():
    with pytest.raises(ValueError, match=r"found shape=\(5, 3\)"):
        _model(compiled=False).predict(np.zeros((5, 3)), verbose=0)


def test_mismatched_x_y_lengths():
    with pytest.raises(ValueError, match=r"same number of samples.*20.*19|20.*19"):
        _model().fit(X, Y[:19], verbose=0)


def test_non_numeric_data():
    with pytest.raises(ValueError, match="numeric"):
        _model().fit(np.full((20, 16), "a"), Y, verbose=0)


def test_empty_input():
    with pytest.raises(ValueError, match="non-empty"):
        _model().fit(np.zeros((0, 16), "float32"), np.zeros((0,)), verbose=0)


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_uncompiled_model_raises_runtime_and_value_error(method):
    m = _model(compiled=False)
    with pytest.raises(RuntimeError, match="compile") as info:
        getattr(m, method)(X, Y, verbose=0)
    assert isinstance(info.value, ValueError)


def test_predict_works_uncompiled():
    assert _model(compiled=False).predict(X, verbose=0).shape == (20, 3)


def test_label_out_of_range_raises_value_error():
    with pytest.raises(ValueError, match=r"label value of 7.*\[0, 3\)"):
        _model().fit(X, np.full((20,), 7), verbose=0)


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        _model().fit(X, Y, batch_size=0, verbose=0)


def test_unknown_loss_and_optimizer_names():
    m = _model(compiled=False)
    with pytest.raises(ValueError, match="loss identifier"):
        m.compile(optimizer="adam", loss="not_a_loss")
        m.fit(X, Y, verbose=0)
    with pytest.raises(ValueError, match="optimizer identifier"):
        m.compile(optimizer="nope", loss="mse")


def test_process_survives_many_bad_calls():
    m = _model()
    for _ in range(50):
        with pytest.raises(ValueError):
            m.fit(np.zeros((20, 5), "float32"), Y, verbose=0)
    assert m.evaluate(X, Y, verbose=0)[0] > 0
