"""`.keras` files in Keras 3's zip layout: metadata.json, config.json (the model's config plus
its compile config) and model.weights.h5 (written and read by weights_h5), stored uncompressed.
Reading never runs code from the file: classes come from pykerascore and custom objects only."""

import datetime
import json
import os
import tempfile
import zipfile

from pykerascore.saving import file_io, weights_h5

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# The Keras release whose file layout these archives follow (Keras reads the field as information).
KERAS_FORMAT_VERSION = "3.15.1"


def save_model(model, path, include_optimizer=True):
    from pykerascore.models import model_config

    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not been built yet, so it has no weights to save to {path}. Build it "
            "first by calling it on data, by calling `build()`, or by fitting it."
        )
    config = model_config.serialize_model(model)
    compile_config = model.get_compile_config()
    if compile_config is not None:
        config["compile_config"] = compile_config
    config_json = json.dumps(config)
    metadata_json = json.dumps({"keras_version": KERAS_FORMAT_VERSION,
                                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    with tempfile.TemporaryDirectory() as scratch:
        weights_path = os.path.join(scratch, WEIGHTS_FILENAME)
        # Keras 3 always stores the optimizer state in `.keras` files; we honour
        # include_optimizer=False (D10 promises the argument) by leaving it out.
        weights_h5.save_weights(model, weights_path, overwrite=True, include_optimizer=include_optimizer)

        def write(tmp):
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
                zf.writestr(zipfile.ZipInfo(METADATA_FILENAME), metadata_json)
                zf.writestr(zipfile.ZipInfo(CONFIG_FILENAME), config_json)
                zf.write(weights_path, WEIGHTS_FILENAME)

        file_io.atomic_write(path, write)


def load_model(path, custom_objects=None, compile=True, safe_mode=True):
    from pykerascore.models import model_config
    from pykerascore.utils import serialization

    try:
        zf = zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"Could not read {path}: it is not a valid `.keras` zip archive "
                         f"(truncated or corrupted?). Underlying error: {e}") from e
    with zf, tempfile.TemporaryDirectory() as scratch:
        names = zf.namelist()
        for required in (CONFIG_FILENAME, WEIGHTS_FILENAME):
            if required not in names:
                raise ValueError(f"Could not read {path}: the archive has no {required} "
                                 f"(it holds {names}); it is not a Keras 3 `.keras` file.")
        try:
            config = json.loads(zf.read(CONFIG_FILENAME).decode("utf-8"))
            zf.extract(WEIGHTS_FILENAME, scratch)
        except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError) as e:
            raise ValueError(f"Could not read {path}: the archive is corrupted or truncated. "
                             f"Underlying error: {e}") from e
        if not isinstance(config, dict):
            raise ValueError(f"Could not read {path}: {CONFIG_FILENAME} does not hold a model config.")
        compile_config = config.pop("compile_config", None)
        with serialization.custom_object_scope(serialization.custom_objects_in_scope(custom_objects)), \
                serialization.SafeModeScope(safe_mode):
            model = _revive(path, config, model_config.deserialize_layer)
            if compile and compile_config:
                _with_file_name(path, "compile config", model.compile_from_config, compile_config)
        try:
            weights_h5.load_weights(model, os.path.join(scratch, WEIGHTS_FILENAME), optimizer_optional=True)
        except ValueError as e:
            raise ValueError(f"Could not load the weights stored in {path}: {e}") from e
    return model


def _revive(path, config, deserialize):
    return _with_file_name(path, "model config", deserialize, config)


def _with_file_name(path, what, fn, *args):
    """Runs fn(*args); an error about the config's content names the file it came from."""
    try:
        return fn(*args)
    except (ValueError, TypeError, KeyError, NotImplementedError) as e:
        if isinstance(e, ValueError) and "safe_mode" in str(e):
            raise  # Keras's own safe-mode refusal, unchanged
        raise ValueError(f"Could not load the {what} stored in {path}: {type(e).__name__}: {e}") from e
