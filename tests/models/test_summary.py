"""model.summary(): Keras 3's table, byte for byte (the expected text is what Keras 3.15
prints for the same models with a print_fn and an 80-column terminal)."""

import pytest

import pykerascore as keras
from pykerascore import layers

SEQ = """Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d1 (Dense)                      │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dr (Dropout)                    │ (None, 3)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ d2 (Dense)                      │ (None, 2)              │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 23 (92.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 8 (32.00 B)
"""

SEQ_TRAINABLE = """Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ d1 (Dense)                  │ (None, 3)             │         15 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dr (Dropout)                │ (None, 3)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ d2 (Dense)                  │ (None, 2)             │          8 │   N   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 23 (92.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 8 (32.00 B)
"""

FUNC = """Model: "func"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 3)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ da (Dense)          │ (None, 5)         │         25 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ db (Dense)          │ (None, 5)         │         20 │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 5)         │          0 │ da[0][0],         │
│                     │                   │            │ db[0][0]          │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out (Dense)         │ (None, 1)         │          6 │ add[0][0]         │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 51 (204.00 B)
 Trainable params: 51 (204.00 B)
 Non-trainable params: 0 (0.00 B)
"""


@pytest.fixture(autouse=True)
def _terminal_80(monkeypatch):
    # Keras caps the default width at the terminal's columns - 4.
    monkeypatch.setenv("COLUMNS", "80")


def seq_model():
    m = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="d1"), layers.Dropout(0.1, name="dr"),
                          layers.Dense(2, name="d2")], name="seq")
    m.layers[2].trainable = False
    return m


def func_model():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    x = layers.Dense(5, name="da")(a)
    y = layers.Dense(5, name="db")(b)
    z = layers.Add(name="add")([x, y])
    return keras.Model([a, b], layers.Dense(1, name="out")(z), name="func")


def summary_text(model, **kwargs):
    calls = []
    model.summary(print_fn=calls.append, **kwargs)
    assert len(calls) == 1  # as Keras: one call with the whole table
    return calls[0]


def test_sequential_table_matches_keras():
    assert summary_text(seq_model()) == SEQ


def test_show_trainable_column():
    assert summary_text(seq_model(), show_trainable=True) == SEQ_TRAINABLE


def test_functional_table_has_connected_to():
    assert summary_text(func_model()) == FUNC


def test_functional_chain_prints_like_sequential():
    a = keras.Input((6,), name="inp")
    m = keras.Model(a, layers.Dense(2, name="o")(layers.Dense(4, name="h")(a)), name="chain")
    lines = summary_text(m).splitlines()
    assert lines[2] == "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃"
    assert lines[4] == "│ inp (InputLayer)                │ (None, 6)              │             0 │"
    assert lines[6] == "│ h (Dense)                       │ (None, 4)              │            28 │"


def test_explicit_line_length(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = summary_text(seq_model(), line_length=120).splitlines()
    assert all(len(line) == 120 for line in lines[1:-3])


def test_table_is_cropped_to_the_terminal():
    # As Keras's console: a line_length wider than the terminal is cut at its edge.
    lines = summary_text(seq_model(), line_length=120).splitlines()
    assert all(len(line) == 80 for line in lines[1:-3])


def test_layer_range_selects_rows():
    text = summary_text(func_model(), layer_range=["da", "add"])
    assert "da (Dense)" in text and "add (Add)" in text
    assert "a (InputLayer)" not in text and "out (Dense)" not in text


def test_layer_range_must_match():
    with pytest.raises(ValueError, match="do not match"):
        summary_text(func_model(), layer_range=["nope", "out"])


def test_unbuilt_sequential():
    m = keras.Sequential([layers.Dense(3, name="d")], name="lazy")
    assert "│ d (Dense)                       │ ?                      │   0 (unbuilt) │" in summary_text(m)


def test_without_print_fn_prints_to_stdout(capsys):
    seq_model().summary()
    assert capsys.readouterr().out == SEQ


def test_large_counts_use_thousands_separators():
    m = keras.Sequential([keras.Input((100,)), layers.Dense(100, name="big")], name="m")
    text = summary_text(m)
    assert "│        10,100 │" in text
    assert " Total params: 10,100 (39.45 KB)" in text


def test_get_layer_by_name_and_index():
    m = func_model()
    assert m.get_layer("add").name == "add"
    assert m.get_layer(index=2).name == "da"


SEQ_OPTIMIZER_TOTALS = """ Total params: 71 (284.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 48 (192.00 B)
"""


def _trained_seq(fit):
    import numpy as np

    m = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="d1"), layers.Dense(2, name="d2")], name="seq")
    m.compile("adam", "mse")
    if fit:
        m.fit(np.ones((4, 4), "float32"), np.ones((4, 2), "float32"), verbose=0)
    out = []
    m.summary(print_fn=out.append)
    return "\n".join(out)


def test_optimizer_params_line_once_the_optimizer_is_built(monkeypatch):
    # Keras 3.15's totals for this model after one fit() step with Adam: 2 scalars + 2 x 23 slots.
    monkeypatch.setenv("COLUMNS", "80")
    assert _trained_seq(fit=True).endswith(SEQ_OPTIMIZER_TOTALS)


def test_no_optimizer_params_line_before_the_first_step(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = _trained_seq(fit=False)
    assert "Optimizer params" not in text and " Total params: 23 (92.00 B)" in text
