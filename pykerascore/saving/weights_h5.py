"""`.weights.h5` files laid out exactly as Keras 3 (saving_lib.save_weights_only) writes them, so
files interchange with real Keras both ways: every layer's variables and, for a compiled
model, the optimizer's (`optimizer/vars`, plus `optimizer/inner_optimizer/vars` for a
LossScaleOptimizer). Holds the object walk that names HDF5 groups and the atomic write /
all-or-nothing read; it must not hold layer or optimizer logic (it reads their variable lists
and assigns through `assign`)."""

import os
import re
import tempfile
import warnings

import numpy as np

_SUFFIX = ".weights.h5"


# --------------------------------------------------------------------------- public API
def save_weights(model, filepath, overwrite=True, include_optimizer=True):
    """Writes `model`'s variables (and, unless `include_optimizer=False`, its optimizer's)."""
    path = _check_path(filepath)
    if not model.built:
        raise ValueError(
            "You are saving a model that has not yet been built. Try building the model first by "
            "calling it on some data or by using `build()`."
        )
    if os.path.exists(path) and not overwrite and not _ask_to_proceed_with_overwrite(path):
        return
    h5py = _h5py()
    entries = [(group, name, [np.asarray(v.numpy()) for v in vars_])
               for group, name, _, vars_ in _walk(model)]
    if include_optimizer:
        entries += [(group, opt.name, [np.asarray(v.numpy()) for v in opt.variables])
                    for group, opt in _optimizers(model)]
    # Crash safety: the old file stays intact until the new one is complete, because the
    # rename within one folder is atomic.
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    os.close(fd)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with h5py.File(tmp, "w") as f:
            for group, name, values in entries:
                g = f.create_group(group)  # creates intermediate groups, as Keras's create_group(path)
                g.attrs["name"] = name
                for i, value in enumerate(values):
                    g.create_dataset(str(i), data=value)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_weights(model, filepath, skip_mismatch=False, optimizer_optional=False):
    """Reads a `.weights.h5` file into the model's variables and, when the model is compiled,
    into its optimizer's (building the optimizer's state first if the file has it).

    `optimizer_optional=True` (load_model) loads a file saved without optimizer state quietly;
    load_weights keeps Keras's warning for it."""
    path = _check_path(filepath)
    if not model.built:
        raise ValueError(
            "You are loading weights into a model that has not yet been built. Try building the "
            "model first by calling it on some data or by using `build()`."
        )
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such weights file: {path}")
    h5py = _h5py()
    plan, errors = [], []
    # Read and check everything before assigning anything: a bad file leaves the model as it was.
    try:
        with h5py.File(path, "r") as f:
            for group, _, layer, vars_ in _walk(model):
                stored = f[group] if group in f and isinstance(f[group], h5py.Group) else None
                keys = list(stored.keys()) if stored is not None else []
                error = _check_layer(layer, vars_, stored, keys)
                if error is None:
                    values = [np.asarray(stored[str(i)][()]) for i in range(len(vars_))]
                    error = _check_shapes(layer, vars_, values)
                if error is not None:
                    errors.append((layer.name, error))
                else:
                    plan.extend(zip(vars_, values))
            skipped = []
            for group, opt in _optimizers(model):
                if optimizer_optional and group not in f:
                    continue
                error, entries = _read_optimizer(f, h5py, group, opt, model, skipped)
                if error is not None:
                    errors.append((opt.name, error))
                else:
                    plan.extend(entries)
    except (OSError, KeyError, RuntimeError) as e:
        raise ValueError(
            f"Could not read the weights file {path}: it is not a readable HDF5 `.weights.h5` file "
            f"(truncated or corrupted?). Underlying error: {e}"
        ) from e
    if errors and not skip_mismatch:
        raise ValueError(_failure_message(errors))
    for var, value in plan:
        var.assign(value.astype(var.dtype, copy=False))
    for message in skipped:
        warnings.warn(message, stacklevel=3)
    if errors:
        warnings.warn(_failure_message(errors), stacklevel=3)


# --------------------------------------------------------------------------- the optimizer
def _optimizers(model):
    """(group path, optimizer) for a compiled model's optimizer and, as Keras's walk reaches
    it, a LossScaleOptimizer's `inner_optimizer`."""
    opt = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    out, path = [], "optimizer"
    while opt is not None:
        out.append((f"{path}/vars", opt))
        opt, path = getattr(opt, "inner_optimizer", None), f"{path}/inner_optimizer"
    return out


def _read_optimizer(f, h5py, group, optimizer, model, skipped):
    """(error, [(variable, value)]) for one optimizer group. A count that differs from the
    optimizer's is skipped with Keras's warning (appended to `skipped`); an optimizer whose
    state is not built yet is built first when that makes the counts agree (Keras would skip)."""
    stored = f[group] if group in f and isinstance(f[group], h5py.Group) else None
    count = len(stored.keys()) if stored is not None else 0
    variables = optimizer.variables
    if count > len(variables) and not optimizer.built and model.built:
        optimizer.build(model.trainable_weights)
        variables = optimizer.variables
    if count != len(variables):
        skipped.append(f"Skipping variable loading for optimizer '{optimizer.name}', because it has "
                       f"{len(variables)} variables whereas the saved optimizer has {count} variables. ")
        return None, []
    if any(str(i) not in stored for i in range(count)):
        return f"Optimizer '{optimizer.name}': the saved variables are not numbered 0..{count - 1}.", []
    values = [np.asarray(stored[str(i)][()]) for i in range(count)]
    for var, value in zip(variables, values):
        if tuple(value.shape) != tuple(var.shape):
            return (f"Optimizer '{optimizer.name}': variable '{var.path}' has shape {tuple(var.shape)} but shape "
                    f"{tuple(value.shape)} in the weights file."), []
    return None, list(zip(variables, values))


# --------------------------------------------------------------------------- checks
def _check_path(filepath):
    path = os.fspath(filepath)
    if not str(path).endswith(_SUFFIX):
        raise ValueError(f"The filename must end in `{_SUFFIX}`. Received: filepath={path}")
    return path


def _check_layer(layer, vars_, stored, keys):
    if len(keys) != len(vars_) or any(str(i) not in keys for i in range(len(vars_))):
        return (f"Layer '{layer.name}' expected {len(vars_)} variables, but received {len(keys)} "
                f"variables during loading. Expected: {[v.name for v in vars_]}")
    return None


def _check_shapes(layer, vars_, values):
    for var, value in zip(vars_, values):
        if tuple(value.shape) != tuple(var.shape):
            return (f"Layer '{layer.name}': variable '{var.name}' has shape {tuple(var.shape)} in "
                    f"the model but shape {tuple(value.shape)} in the weights file.")
    return None


def _failure_message(errors):
    return (f"A total of {len(errors)} objects could not be loaded. Example error message for "
            f"object {errors[0][0]}:\n\n{errors[0][1]}\n\nList of objects that could not be "
            f"loaded:\n{[name for name, _ in errors]}")


def _ask_to_proceed_with_overwrite(path):
    answer = input(f"[WARNING] {path} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == "y"


def _h5py():
    try:
        import h5py
    except ImportError as e:  # a declared dependency; this only guards broken environments
        raise ImportError("Saving and loading `.weights.h5` files requires h5py (`pip install h5py`).") from e
    return h5py


# --------------------------------------------------------------------------- the walk
def _walk(model):
    """Yields (group path of the `vars` group, layer name, layer, own variables) in Keras 3's
    saving order; every layer gets a group, even one without variables, as Keras writes."""
    out, visited = [], set()
    _visit(model, "", visited, out)
    return out


def _visit(obj, path, visited, out):
    from pykerascore.layers.layer import Layer

    if id(obj) in visited:
        return
    visited.add(id(obj))
    vars_ = list(obj._trainable_variables) + list(obj._non_trainable_variables)
    out.append((f"{path}/vars" if path else "vars", obj.name, obj, vars_))
    for attr, child in _children(obj):
        child_path = f"{path}/{attr}" if path else attr
        if isinstance(child, Layer):
            _visit(child, child_path, visited, out)
        elif isinstance(child, (list, tuple, dict)):
            _visit_container(child, child_path, visited, out, set())


def _visit_container(container, path, visited, out, seen_containers):
    from pykerascore.layers.layer import Layer

    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    used = {}
    items = list(container.values()) if isinstance(container, dict) else list(container)
    for item in items:
        # Keras names container entries by class, never by layer name (names are not reproducible).
        if isinstance(item, Layer):
            _visit(item, f"{path}/{_unique(_snake(type(item).__name__), used)}", visited, out)
        elif isinstance(item, (list, tuple, dict)):
            _visit_container(item, f"{path}/{_unique('container', used)}", visited, out, seen_containers)


def _children(obj):
    """(attribute, value) pairs as Keras's _walk_saveable visits them: the `layers` collection
    first for Sequential/Functional, then attributes sorted by name with private ones last."""
    from pykerascore.models.functional import Functional
    from pykerascore.models.model import Model
    from pykerascore.models.sequential import Sequential

    if isinstance(obj, Sequential):
        return [("layers", obj.layers)]
    if isinstance(obj, Functional):
        return [("layers", _keras_layer_order(obj))]
    attrs = {k: v for k, v in vars(obj).items() if k not in _internal_attrs() and not k.startswith("__")}
    if isinstance(obj, Model):
        # Keras's dir() walk also meets the `layers` property of a subclassed model.
        attrs["layers"] = list(obj._layers)
    return [(k, attrs[k]) for k in sorted(attrs, key=lambda k: "~" + k if k.startswith("_") else k)]


_INTERNAL = None


def _internal_attrs():
    """Attributes every Layer/Model carries for bookkeeping (Keras skips a bare Layer's dir())."""
    global _INTERNAL
    if _INTERNAL is None:
        from pykerascore.layers.layer import Layer

        _INTERNAL = set(vars(Layer(name="_saving_reference"))) | {"_layers"}
    return _INTERNAL


def _keras_layer_order(functional):
    """Layers of a Functional model in Keras's order (ops/function.py map_graph): depth from the
    outputs descending, ties by first DFS visit from the outputs; unused inputs at depth 0."""
    from pykerascore.layers.core.input_layer import InputLayer
    from pykerascore.utils import tree

    input_ids = {id(t) for t in tree.flatten(functional._inputs_struct)}
    finished, order, op_index = set(), [], {}

    def node_of(t):
        layer, node_index, _ = t._keras_history
        return layer._inbound_nodes[node_index]

    def visit(t):
        node = node_of(t)
        if id(node) in finished:
            return
        is_input = isinstance(node.layer, InputLayer)
        if not is_input and id(t) in input_ids:
            finished.add(id(node))
            return
        op_index.setdefault(id(node.layer), len(op_index))
        if not is_input:
            for parent in node.input_tensors:
                visit(parent)
        finished.add(id(node))
        order.append(node)

    for t in tree.flatten(functional._outputs_struct):
        visit(t)
    in_graph = {id(n) for n in order}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        if not isinstance(node.layer, InputLayer):
            for parent in node.input_tensors:
                p = node_of(parent)
                if id(p) in in_graph:
                    node_depth[id(p)] = max(depth + 1, node_depth.get(id(p), 0))
    for t in tree.flatten(functional._inputs_struct):
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], op_index[id(layer)], layers[id(layer)] = 0, -1, layer
    return sorted(layers.values(), key=lambda l: (-layer_depth[id(l)], op_index[id(l)]))


def _snake(name):
    # keras.src.utils.naming.to_snake_case
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name
