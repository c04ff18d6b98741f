# CSVLogger (Keras 3 `keras.callbacks.CSVLogger`): streams each epoch's logs to a CSV file,
# one row per epoch, written and flushed as training goes. Sees only logs dicts; must not
# import the backend.
import collections
import collections.abc
import csv
import os

import numpy as np

from pykerascore.callbacks.callback import Callback


class CSVLogger(Callback):
    """Callback that streams epoch results to a CSV file.

    Columns are `epoch` then the first epoch's log names sorted; when that epoch has no `val_`
    entry, `val_<name>` columns are added for every name (filled with "NA" when absent). With
    `append=True` the file is extended, and the header is written only if the file was empty.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        # newline="" lets the csv module choose line endings (\r\n, the excel dialect's).
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if not self.writer:
            sep = self.sep

            class Dialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _cell(value):
    """Strings and scalars as they are; other iterables as a quoted "[a, b]" list."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value
