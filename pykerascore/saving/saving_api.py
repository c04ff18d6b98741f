"""`save_model` / `load_model`: pick the file format from the file name (`.keras` archive or
legacy `.h5`/`.hdf5`), check the arguments before any work, and ask before overwriting when
overwrite=False. The formats themselves live in keras_archive and legacy_h5."""

import os
import warnings
import zipfile

from pykerascore.saving import file_io, keras_archive, legacy_h5

_H5 = (".h5", ".hdf5")


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    """Saves the whole model (architecture, weights, compile settings, optimizer state)."""
    path = os.fspath(filepath)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    _check_save_format(path, save_format)
    if not path.endswith(_H5) and not path.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras "
            f"format (recommended) or a `.h5` extension. Received: filepath={path}."
        )
    if not file_io.may_write(path, overwrite):
        return
    if path.endswith(_H5):
        legacy_h5.save_model(model, path, include_optimizer=include_optimizer)
    else:
        keras_archive.save_model(model, path, include_optimizer=include_optimizer)


def _check_save_format(path, save_format):
    """D10: `save_format` only confirms the extension's format; "tf" (SavedModel) is refused."""
    if not save_format:
        return
    fmt = str(save_format).lower()
    matches = (fmt == "keras" and path.endswith(".keras")) or (fmt in ("h5", "hdf5") and path.endswith(_H5))
    if not matches:
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3 and the TensorFlow SavedModel format ('tf') is "
            "not supported. Please remove this argument and pass a file path with either `.keras` or `.h5` "
            f"extension. Received: save_format={save_format}, filepath={path}"
        )
    warnings.warn("The `save_format` argument is deprecated in Keras 3; the format is inferred from the file "
                  f"path. Received: save_format={save_format}", DeprecationWarning, stacklevel=3)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model saved by `save_model` (or by real Keras 3): `.keras` archives and legacy `.h5`.

    safe_mode=True (the default) refuses to run code stored in the file (a Lambda layer's
    marshalled Python function); pass safe_mode=False only for files you trust."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file is an accessible `.keras` "
                         "zip file or `.h5` file.")
    if path.endswith(_H5):
        return legacy_h5.load_model(path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    if path.endswith(".keras") or zipfile.is_zipfile(path):
        return keras_archive.load_model(path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    raise ValueError(
        f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` files and legacy H5 "
        "format files (`.h5` extension)."
    )
