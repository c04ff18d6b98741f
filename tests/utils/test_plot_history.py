"""plot_history: a PNG with one subplot per metric (train and val_ series together); a clear
ImportError naming `pip install matplotlib` when matplotlib is missing."""

import struct
import sys

import numpy as np
import pytest

import pykerascore as keras

HISTORY = {"loss": [1.0, 0.6, 0.4], "mae": [0.9, 0.7, 0.5], "val_loss": [1.1, 0.8, 0.7], "val_mae": [1.0, 0.8, 0.6]}


def _png_size(path):
    data = open(path, "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_draws_a_png_of_the_expected_size(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "history.png"
    assert keras.utils.plot_history(HISTORY, path, figsize=(8, 3), dpi=50) == path
    assert _png_size(path) == (400, 150)


def test_accepts_a_history_from_fit(tmp_path):
    pytest.importorskip("matplotlib")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x = np.ones((4, 2), "float32")
    history = model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=2, verbose=0)
    path = tmp_path / "fit.png"
    keras.utils.plot_history(history, path, dpi=40)
    assert _png_size(path) == (2 * 4 * 40, 3 * 40)  # two subplots (loss, mae), 4 x 3 inches each


def test_draws_train_and_validation_on_one_axes(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: saved.append(self))
    keras.utils.plot_history(HISTORY, tmp_path / "x.png")
    (fig,) = saved
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae"]
    lines = fig.axes[1].get_lines()
    assert [line.get_label() for line in lines] == ["train", "validation"]
    np.testing.assert_array_equal(lines[1].get_ydata(), HISTORY["val_mae"])
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])


def test_unknown_metric_raises(tmp_path):
    with pytest.raises(ValueError, match="accuracy"):
        keras.utils.plot_history(HISTORY, tmp_path / "x.png", metrics=["accuracy"])


def test_missing_matplotlib_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        keras.utils.plot_history(HISTORY, tmp_path / "x.png")
