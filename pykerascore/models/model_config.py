"""Model architecture as Keras 3 config dicts and JSON: `{"module", "class_name", "config",
"registered_name", "build_config"}` per object, functional graphs as per-layer
`inbound_nodes` of `__keras_tensor__` references; subclassed models by their own or automatic
config; the compile config. Configs only: weights and files are pykerascore.saving's job, and
deserializing never imports modules or runs code named in a config."""

import inspect
import json

from pykerascore.backend.symbolic import KerasTensor
from pykerascore.utils import tree


def _layer_classes(custom_objects=None):
    from pykerascore import layers, models
    from pykerascore.utils.serialization import custom_objects_in_scope

    table = {name: obj for name, obj in vars(layers).items() if inspect.isclass(obj)}
    table.update({"Sequential": models.Sequential, "Functional": models.Functional, "Model": models.Model})
    table.update(custom_objects_in_scope(custom_objects))
    return table


def _build_config(layer):
    node = layer._inbound_nodes[0] if layer._inbound_nodes else None
    if node is None or not node.args:
        return None
    shapes = tree.map_structure(lambda t: list(t.shape) if isinstance(t, KerasTensor) else t, node.args[0])
    return {"input_shape": shapes}


def serialize_layer(layer):
    """Keras's envelope around `layer.get_config()`."""
    from pykerascore.models.model import Model

    if isinstance(layer, Model):
        return serialize_model(layer)
    out = {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
           "registered_name": None}
    build = _build_config(layer) if layer.built else None
    if build is not None:
        out["build_config"] = build
    return out


def deserialize_layer(config, custom_objects=None):
    table = _layer_classes(custom_objects)
    if not isinstance(config, dict) or "class_name" not in config or not isinstance(config.get("config"), dict):
        raise ValueError(f"Not a Keras layer config (expected a dict with 'class_name' and 'config'): {config!r:.200}")
    name = config.get("registered_name") or config["class_name"]
    cls = table.get(name) or table.get(config["class_name"]) or _registered_by_class_name(config["class_name"])
    if cls is None:
        raise ValueError(f"Unknown layer: '{config['class_name']}'. Please ensure you are using a "
                         "`keras.utils.custom_object_scope` and that this object is included in the scope.")
    from pykerascore.models.model import Model

    if inspect.isclass(cls) and issubclass(cls, Model):
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            model = cls.from_config(config["config"], custom_objects=custom_objects)
        else:
            model = cls.from_config(config["config"])
        if not model.built and hasattr(model, "build_from_config"):
            model.build_from_config(config.get("build_config"))
        return model
    return cls.from_config(_layer_kwargs(cls, dict(config["config"])))


def _registered_by_class_name(class_name):
    """A class registered as "package>Name" found by its bare name (legacy `.h5` files write
    only `class_name`); None unless exactly one registration matches."""
    from pykerascore.utils.serialization import custom_objects_in_scope

    found = {id(v): v for k, v in custom_objects_in_scope().items() if k.split(">")[-1] == class_name}
    return next(iter(found.values())) if len(found) == 1 else None


def _layer_kwargs(cls, cfg):
    """Keras 3 writes the dtype as a DTypePolicy dict, and unset options this version has no
    use for (quantization, InputLayer's ragged/optional); both are reduced to what the layers
    here accept."""
    dtype = cfg.get("dtype")
    if isinstance(dtype, dict):
        cfg["dtype"] = (dtype.get("config") or {}).get("name")
    if "quantization_config" in cfg and cfg["quantization_config"] is None:
        del cfg["quantization_config"]
    from pykerascore.layers import InputLayer

    if issubclass(cls, InputLayer):
        for key in ("ragged", "optional"):
            if not cfg.get(key):
                cfg.pop(key, None)
    return cfg


# ------------------------------------------------------------------ Functional
def _tensor_ref(t, node_index_of):
    layer, node_index, tensor_index = t._keras_history
    return [layer.name, node_index_of[id(layer._inbound_nodes[node_index])], tensor_index]


def functional_config(model):
    from pykerascore.layers import InputLayer

    nodes = model._nodes
    # A node's index counts only the calls of its layer that belong to this model.
    node_index_of, per_layer = {}, {}
    for layer in model.layers:
        kept = [n for n in layer._inbound_nodes if any(n is m for m in nodes)]
        per_layer[id(layer)] = kept
        for i, n in enumerate(kept):
            node_index_of[id(n)] = i

    def arg(x):
        if isinstance(x, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype,
                               "keras_history": _tensor_ref(x, node_index_of)}}
        return x

    layer_configs = []
    for layer in model.layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
            {"args": [tree.map_structure(arg, a) for a in n.args], "kwargs": tree.map_structure(arg, dict(n.kwargs))}
            for n in per_layer[id(layer)]
        ]
        layer_configs.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": tree.map_structure(lambda t: _tensor_ref(t, node_index_of), model._inputs_struct),
        "output_layers": tree.map_structure(lambda t: _tensor_ref(t, node_index_of), model._outputs_struct),
    }


def _is_ref(x):
    return isinstance(x, list) and len(x) == 3 and isinstance(x[0], str) and all(isinstance(i, int) for i in x[1:])


def functional_from_config(cls, config, custom_objects=None):
    created = {}
    for entry in config["layers"]:
        created[_entry_name(entry)] = deserialize_layer(entry, custom_objects)
    # outputs[(layer name, node index)] = flat output tensors of that call; an InputLayer's
    # call exists from its construction.
    from pykerascore.layers import InputLayer

    outputs = {(name, 0): tree.flatten(layer._inbound_nodes[0].outputs)
               for name, layer in created.items() if isinstance(layer, InputLayer)}

    def resolve(x):
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            name, node_index, tensor_index = x["config"]["keras_history"]
            return outputs[(name, node_index)][tensor_index]
        return x

    def ready(x):
        refs = [v for v in _walk(x) if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__"]
        return all(tuple(r["config"]["keras_history"][:2]) in outputs for r in refs)

    pending = [(_entry_name(e), i, n)
               for e in config["layers"] for i, n in enumerate(e["inbound_nodes"])]
    # Calls in dependency order; each layer's calls keep their order, so node indexes match.
    while pending:
        progressed = False
        for item in list(pending):
            name, index, node = item
            if any(p[0] == name and p[1] < index for p in pending) or not ready(node):
                continue
            args = [_map_config(resolve, a) for a in node["args"]]
            kwargs = _map_config(resolve, node.get("kwargs") or {})
            out = created[name](*args, **kwargs)
            outputs[(name, index)] = tree.flatten(out)
            pending.remove(item)
            progressed = True
        if not progressed:
            raise ValueError(f"Could not rebuild the functional graph: calls {[p[:2] for p in pending]} "
                             "refer to tensors no layer produces")

    def ref_tensor(ref):
        return outputs[(ref[0], ref[1])][ref[2]]

    inputs = _map_refs(ref_tensor, config["input_layers"])
    outs = _map_refs(ref_tensor, config["output_layers"])
    return cls(inputs, outs, name=config.get("name"), trainable=config.get("trainable", True))


def _entry_name(entry):
    return entry.get("name") or entry["config"]["name"]


def _walk(x):
    if isinstance(x, dict) and x.get("class_name") != "__keras_tensor__":
        for v in x.values():
            yield from _walk(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _walk(v)
    else:
        yield x


def _map_config(fn, x):
    if isinstance(x, dict) and x.get("class_name") != "__keras_tensor__":
        return {k: _map_config(fn, v) for k, v in x.items()}
    if isinstance(x, list):
        return [_map_config(fn, v) for v in x]
    return fn(x)


def _map_refs(fn, x):
    if _is_ref(x):
        return fn(x)
    if isinstance(x, dict):
        return {k: _map_refs(fn, v) for k, v in x.items()}
    return [_map_refs(fn, v) for v in x]


# ------------------------------------------------------------------ Sequential
def sequential_config(model):
    layers = []
    if model._input_layer is not None:
        layers.append(serialize_layer(model._input_layer))
    layers += [serialize_layer(l) for l in model.layers]
    cfg = {"name": model.name, "trainable": model.trainable, "dtype": model.dtype, "layers": layers}
    if model._input_layer is not None:
        cfg["build_input_shape"] = list(model._input_layer.batch_shape)
    return cfg


def sequential_from_config(cls, config, custom_objects=None):
    model = cls(name=config.get("name"), trainable=config.get("trainable", True))
    for entry in config["layers"]:
        model.add(deserialize_layer(entry, custom_objects), rebuild=False)
    if model._input_layer is None and config.get("build_input_shape") and model.layers:
        model.build(config["build_input_shape"])
    model._maybe_rebuild()
    return model


# ------------------------------------------------------------------ whole models
def serialize_model(model):
    from pykerascore.models.functional import Functional
    from pykerascore.models.sequential import Sequential

    if isinstance(model, Sequential):
        out = {"module": "keras", "class_name": "Sequential", "config": model.get_config(), "registered_name": None}
        if model._input_layer is not None:
            out["build_config"] = {"input_shape": list(model._input_layer.batch_shape)}
        return out
    if isinstance(model, Functional):
        return {"module": "keras.src.models.functional", "class_name": "Functional", "config": model.get_config(),
                "registered_name": "Functional", "build_config": {"input_shape": None}}
    from pykerascore.utils.serialization import get_registered_name

    out = {"module": type(model).__module__, "class_name": type(model).__name__, "config": model.get_config(),
           "registered_name": get_registered_name(type(model))}
    build = model.get_build_config()
    if build is not None:
        out["build_config"] = build
    return out


def model_to_json(model, **kwargs):
    return json.dumps(serialize_model(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new, freshly initialized model with the architecture in `json_string`."""
    return deserialize_layer(json.loads(json_string), custom_objects)


# ------------------------------------------------------------------ subclassed models
_PLAIN = (str, bool, int, float, type(None))


def _plain(x):
    if isinstance(x, (list, tuple)):
        return all(_plain(v) for v in x)
    if isinstance(x, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in x.items())
    return isinstance(x, _PLAIN)


def auto_config(cls, args, kwargs):
    """The __init__ arguments by name when all are plain values, else None (Keras 3's rule:
    such a subclass serializes without writing get_config)."""
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    out = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = signature.parameters[name].kind
        if kind == inspect.Parameter.VAR_POSITIONAL:
            if value:
                return None
        elif kind == inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        else:
            out[name] = value
    if not _plain(out):
        return None
    return json.loads(json.dumps(out))  # a private copy; tuples become lists as in JSON


def _dtype_policy_config(layer):
    policy = getattr(layer, "dtype_policy", None)
    name = getattr(policy, "name", None) or layer.dtype
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def subclass_config(model):
    from pykerascore.models.model import Model

    base = {"name": model.name, "trainable": model.trainable, "dtype": _dtype_policy_config(model)}
    if type(model).get_config is not Model.get_config:
        return base  # the subclass writes its own config on top of this one
    if getattr(model, "_auto_config", None) is None:
        raise NotImplementedError(
            f"Model {type(model).__name__} was created with arguments that are not plain values (numbers, "
            "strings, lists, dicts of them), so it has no automatic config. Override `get_config()` (and "
            "`from_config()` if needed) to make it serializable."
        )
    config = {**base, **model._auto_config}
    params = inspect.signature(type(model).__init__).parameters
    if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()):
        for key in ("name", "trainable", "dtype"):
            if key not in params:
                config.pop(key, None)  # __init__ could not take it back
    return config


def model_from_config(cls, config, custom_objects=None):
    from pykerascore.models.functional import Functional

    if all(k in config for k in ("layers", "input_layers", "output_layers")):
        target = cls if issubclass(cls, Functional) else Functional
        return functional_from_config(target, config, custom_objects)
    try:
        return cls(**config)
    except TypeError as e:
        raise TypeError(
            f"Unable to revive model from config. When overriding the `get_config()` method, make sure the "
            f"returned config contains all items used as arguments in the constructor to {cls}. Error: {e}"
        ) from e


# ------------------------------------------------------------------ compile config
def compile_arguments(compile_fn, model, args, kwargs):
    bound = inspect.signature(compile_fn).bind(model, *args, **kwargs)
    bound.apply_defaults()
    out = dict(bound.arguments)
    out.pop("self", None)
    return out


def compile_config(model):
    """Keras 3's compile config: the resolved optimizer and the loss/metric arguments as given."""
    from pykerascore.saving.object_config import serialize_object

    args = getattr(model, "_compile_args", None) or {}
    return {
        "optimizer": serialize_object(model.optimizer),
        "loss": serialize_object(args.get("loss")),
        "loss_weights": serialize_object(args.get("loss_weights")),
        "metrics": serialize_object(args.get("metrics")),
        "weighted_metrics": serialize_object(args.get("weighted_metrics")),
        "run_eagerly": bool(args.get("run_eagerly", False)),
        "steps_per_execution": args.get("steps_per_execution", 1),
        "jit_compile": args.get("jit_compile", "auto"),
    }


def compile_kwargs_from_config(config):
    from pykerascore.saving.object_config import deserialize_object

    if not isinstance(config, dict):
        raise ValueError(f"Invalid compile config (expected a dict): {config!r:.200}")
    kwargs = dict(config)
    optimizer_config = kwargs.pop("optimizer_config", None)  # legacy .h5 training_config
    if optimizer_config is not None and "optimizer" not in kwargs:
        kwargs["optimizer"] = optimizer_config
    families = {"optimizer": "optimizers", "loss": "losses", "metrics": "metrics", "weighted_metrics": "metrics"}
    for key, family in families.items():
        if kwargs.get(key) is not None:
            kwargs[key] = deserialize_object(kwargs[key], family)
    if kwargs.get("optimizer") is None:
        kwargs.pop("optimizer", None)
    return kwargs


# ------------------------------------------------------------------ legacy (.h5) form
def legacy_model_config(model):
    """The model config as Keras's legacy HDF5 writer stores it: layer entries carry only
    class_name and config (plus name and inbound_nodes in functional graphs)."""
    return _legacy_entry(serialize_model(model))


def _legacy_entry(entry):
    out = {"class_name": _legacy_class_name(entry), "config": entry["config"]}
    config = entry["config"]
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        config = dict(config)
        config["layers"] = [{**_legacy_entry(layer),
                             **{k: v for k, v in layer.items() if k in ("name", "inbound_nodes")}}
                            for layer in config["layers"]]
        out["config"] = config
    return out


def _legacy_class_name(entry):
    return entry["class_name"]  # Keras's legacy writer uses the bare class name, registered or not
