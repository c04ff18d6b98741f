"""Package-level behaviour: thread configuration and the README's main job."""

import pykerascore as keras
from pykerascore import demo


def test_set_and_get_num_threads():
    old = keras.config.get_num_threads()
    keras.config.set_num_threads(1)
    assert keras.config.get_num_threads() == 1
    keras.config.set_num_threads(old)


def test_demo_trains_and_prints_evaluate_results(capsys):
    loss, accuracy = demo.main(epochs=5)
    out = capsys.readouterr().out
    assert "Epoch 5/5" in out and "Test loss:" in out and "test accuracy:" in out
    assert accuracy > 0.6
