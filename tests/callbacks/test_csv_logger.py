# Tests for CSVLogger: the exact file a real fit writes (header, sorted columns, NA-filled
# val_ columns, \r\n rows), the separator, append mode, and rows written as training goes.
import numpy as np

import pykerascore as keras
from pykerascore.callbacks import CSVLogger
from pykerascore.callbacks import LambdaCallback

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model():
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


def _read(path):
    with open(path, newline="") as f:
        return f.read()


def test_writes_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    h = _model().fit(X, Y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    rows = [f"{e},{h.history['loss'][e]},{h.history['mae'][e]},NA,NA" for e in range(2)]
    assert _read(path) == "epoch,loss,mae,val_loss,val_mae\r\n" + "".join(r + "\r\n" for r in rows)


def test_validation_columns_come_from_the_logs(tmp_path):
    path = tmp_path / "log.csv"
    h = _model().fit(X, Y, epochs=1, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path)])
    header, row = _read(path).splitlines()
    assert header == "epoch,loss,mae,val_loss,val_mae"
    hist = h.history
    assert row == f"0,{hist['loss'][0]},{hist['mae'][0]},{hist['val_loss'][0]},{hist['val_mae'][0]}"


def test_separator(tmp_path):
    path = tmp_path / "log.tsv"
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    assert _read(path).splitlines()[0] == "epoch\tloss\tmae\tval_loss\tval_mae"


def test_append_adds_rows_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    model = _model()
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    model.fit(X, Y, epochs=4, initial_epoch=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
    lines = _read(path).splitlines()
    assert len(lines) == 5 and lines[0].startswith("epoch,")
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1", "2", "3"]


def test_without_append_the_file_is_overwritten(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[CSVLogger(path)])
    assert _read(path).splitlines()[0] == "epoch,loss,mae,val_loss,val_mae"


def test_each_row_is_on_disk_at_its_epoch_end(tmp_path):
    path = tmp_path / "log.csv"
    seen = []
    peek = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(len(_read(path).splitlines())))
    _model().fit(X, Y, epochs=3, verbose=0, callbacks=[CSVLogger(path), peek])
    assert seen == [2, 3, 4]


def test_list_values_are_written_as_a_quoted_list(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.25, "tags": [1, 2]})
    logger.on_train_end()
    assert _read(path).splitlines()[1] == '0,0.5,"""[1, 2]""",0.25'
