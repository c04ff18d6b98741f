"""Whole models in the legacy HDF5 layout (Keras 2 / tf.keras, read and written by Keras 3's
legacy_h5_format): root attributes model_config, training_config, keras_version, backend;
`model_weights/<layer>/<weight path>` datasets listed by `layer_names` / `weight_names`
attributes; `optimizer_weights` when the optimizer state is included. Variables are matched
to layers in model.layers order, as Keras does; nothing is assigned until the file checks out."""

import json

import numpy as np

from pykerascore.saving import file_io
from pykerascore.saving.keras_archive import KERAS_FORMAT_VERSION, _with_file_name

BACKEND_NAME = "pykerascore"


def save_model(model, path, include_optimizer=True):
    from pykerascore.models import model_config

    h5py = _h5py()
    if not model.built:
        raise ValueError(f"Model '{model.name}' has not been built yet, so it has no weights to save to {path}.")
    attrs = {"keras_version": KERAS_FORMAT_VERSION, "backend": BACKEND_NAME,
             "model_config": json.dumps(model_config.legacy_model_config(model))}
    optimizer_values = []
    if include_optimizer and model.compiled and model.optimizer is not None:
        training = model.get_compile_config()
        training.pop("optimizer")
        training["optimizer_config"] = {"class_name": type(model.optimizer).__name__,
                                        "config": model.optimizer.get_config()}
        attrs["training_config"] = json.dumps(_legacy_objects(training))
        optimizer_values = [(str(v.path), np.asarray(v.numpy())) for v in optimizer_variables(model.optimizer)]
    layers = [(layer.name, [(str(v.path), np.asarray(v.numpy())) for v in _legacy_weights(layer)])
              for layer in _layers_in_keras_order(model)]
    top = [(str(getattr(v, "path", v.name)), np.asarray(v.numpy())) for v in _top_level_weights(model)]

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            for key, value in attrs.items():
                f.attrs[key] = value.encode("utf8") if key.endswith("config") else value
            group = f.create_group("model_weights")
            group.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in layers])
            group.attrs["backend"] = BACKEND_NAME.encode("utf8")
            group.attrs["keras_version"] = KERAS_FORMAT_VERSION.encode("utf8")
            # Sorted by name, as Keras does, so group names grow strictly.
            for name, weights in sorted(layers + [("top_level_model_weights", top)], key=lambda e: e[0]):
                _write_subset(group.create_group(name), weights)
            if optimizer_values:
                _write_subset(f.create_group("optimizer_weights"), optimizer_values)

    file_io.atomic_write(path, write)


def load_model(path, custom_objects=None, compile=True, safe_mode=True):
    from pykerascore.models import model_config
    from pykerascore.utils import serialization

    h5py = _h5py()
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(f"Could not read {path}: it is not a readable HDF5 file (truncated or corrupted?). "
                         f"Underlying error: {e}") from e
    with f:
        try:
            raw = f.attrs.get("model_config")
            if raw is None:
                raise ValueError(f"No model config found in the file at {path}.")
            config = json.loads(_text(raw))
            training = f.attrs.get("training_config")
            training = json.loads(_text(training)) if training is not None else None
            weights = _read_weights(f, path)
            optimizer_values = _read_subset(f["optimizer_weights"]) if "optimizer_weights" in f else None
        except (OSError, KeyError, RuntimeError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"Could not read {path}: the HDF5 file is corrupted or truncated, or is not a Keras "
                             f"model file. Underlying error: {type(e).__name__}: {e}") from e
    with serialization.custom_object_scope(serialization.custom_objects_in_scope(custom_objects)), \
            serialization.SafeModeScope(safe_mode):
        model = _with_file_name(path, "model config", model_config.deserialize_layer, config)
        _assign_weights(model, weights, path)
        if compile and training:
            _with_file_name(path, "training config", model.compile_from_config, training)
            if optimizer_values:
                set_optimizer_values(model, [v for _, v in optimizer_values], path)
    return model


# ------------------------------------------------------------------ optimizer state
def optimizer_variables(optimizer):
    """The optimizer's variables in Keras's order (iteration, learning rate, then the slots);
    [] before the optimizer is built (nothing trained yet, so there is no state to keep)."""
    return list(optimizer.variables) if optimizer.built else []


def set_optimizer_values(model, values, path):
    import warnings

    optimizer = model.optimizer
    if not optimizer.built:
        # As load_weights does: restoring into a fresh optimizer builds its state first.
        optimizer.build(model.trainable_variables)
    variables = list(optimizer.variables)
    if len(variables) != len(values) or any(tuple(v.shape) != tuple(np.shape(x)) for v, x in zip(variables, values)):
        warnings.warn(f"The optimizer state in {path} does not match optimizer {type(optimizer).__name__} "
                      f"({len(values)} saved values, {len(variables)} variables); the model starts with a fresh "
                      "optimizer.", stacklevel=3)
        return
    for var, value in zip(variables, values):
        var.assign(np.asarray(value))


# ------------------------------------------------------------------ weights
def _legacy_weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _top_level_weights(model):
    return list(model._trainable_variables) + list(model._non_trainable_variables)


def _layers_in_keras_order(model):
    """model.layers as Keras orders them (a functional model's by graph depth), since Keras
    pairs the file's weighted layers with its own positionally."""
    from pykerascore.models.functional import Functional
    from pykerascore.models.sequential import Sequential
    from pykerascore.saving.weights_h5 import _keras_layer_order

    if isinstance(model, Functional) and not isinstance(model, Sequential):
        return _keras_layer_order(model)
    return list(model.layers)


def _write_subset(group, weights):
    group.attrs["weight_names"] = np.array([name.encode("utf8") for name, _ in weights])
    for name, value in weights:
        group.create_dataset(name, data=value)


def _read_subset(group):
    names = _names(group, "weight_names")
    return [(name, np.asarray(group[name][()])) for name in names]


def _names(group, attr):
    """A list attribute, also in Keras's chunked form (`attr0`, `attr1`, ...) for long lists."""
    if attr in group.attrs:
        return [_text(n) for n in group.attrs[attr]]
    out, i = [], 0
    while f"{attr}{i}" in group.attrs:
        out += [_text(n) for n in group.attrs[f"{attr}{i}"]]
        i += 1
    return out


def _read_weights(f, path):
    if "model_weights" not in f:
        raise ValueError(f"Could not read {path}: it has no `model_weights` group.")
    group = f["model_weights"]
    layers = [(name, _read_subset(group[name])) for name in _names(group, "layer_names")]
    top = _read_subset(group["top_level_model_weights"]) if "top_level_model_weights" in group else []
    return layers, top


def _assign_weights(model, weights, path):
    layers, top = weights
    saved = [(name, values) for name, values in layers if values]
    if saved and not model.built:
        # Keras 3 cannot do it either: the legacy layout has no build config.
        raise ValueError(f"Could not load the weights stored in {path}: subclassed model {type(model).__name__} "
                         "is not built after being created from its config, and the legacy `.h5` format does not "
                         "record its input shape. Save subclassed models as `.keras` files instead.")
    expected = [layer for layer in _layers_in_keras_order(model) if _legacy_weights(layer)]
    if len(saved) != len(expected):
        raise ValueError(f"Could not load the weights stored in {path}: layer count mismatch. The model has "
                         f"{len(expected)} layers with weights, the file {len(saved)}.")
    plan = []
    for k, ((name, values), layer) in enumerate(zip(saved, expected)):
        variables = _legacy_weights(layer)
        if len(values) != len(variables):
            raise ValueError(f"Could not load the weights stored in {path}: weight count mismatch for layer #{k} "
                             f"(named {layer.name} in the model, {name} in the file). Layer expects "
                             f"{len(variables)} weight(s); the file has {len(values)}.")
        plan += _check_shapes(variables, [v for _, v in values], f"layer #{k} (named {layer.name})", path)
    top_vars = _top_level_weights(model)
    if top and len(top) == len(top_vars):
        plan += _check_shapes(top_vars, [v for _, v in top], "top-level model", path)
    for var, value in plan:
        var.assign(value.astype(var.dtype, copy=False))


def _check_shapes(variables, values, where, path):
    for var, value in zip(variables, values):
        if tuple(var.shape) != tuple(value.shape):
            raise ValueError(f"Could not load the weights stored in {path}: shape mismatch in {where} for "
                             f"weight {getattr(var, 'path', var.name)}. Weight expects shape {tuple(var.shape)}; "
                             f"the file has shape {tuple(value.shape)}.")
    return list(zip(variables, values))


# ------------------------------------------------------------------ helpers
def _legacy_objects(x):
    """Keras's legacy serialization of compile arguments: objects as {class_name, config},
    functions by name."""
    if isinstance(x, list):
        return [_legacy_objects(v) for v in x]
    if isinstance(x, dict) and "class_name" in x and "config" in x:
        if x["class_name"] == "function":
            return x["config"]
        return {"class_name": x["class_name"], "config": x["config"]}
    if isinstance(x, dict):
        return {k: _legacy_objects(v) for k, v in x.items()}
    return x


def _text(x):
    return x.decode("utf8") if isinstance(x, bytes) else str(x)


def _h5py():
    try:
        import h5py
    except ImportError as e:  # a declared dependency; this only guards broken environments
        raise ImportError("Saving and loading `.h5` model files requires h5py (`pip install h5py`).") from e
    return h5py
