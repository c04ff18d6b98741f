"""Lambda: wraps a function written with pykerascore.ops as a layer. The output shape comes from
tracing the function (functional calls trace every layer), or from `output_shape` when given.
Config serialisation follows Keras: Python lambdas as marshalled code (loaded only with
safe_mode=False), named functions by module and name.
"""

import builtins
import codecs
import importlib
import inspect
import marshal
import types

from pykerascore.layers.layer import Layer

_LAMBDA_UNSAFE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. This carries a "
    "potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source "
    "of the artifact, you can override this error by passing `safe_mode=False` to the loading function."
)


def _serialize_fn(fn):
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    if callable(fn):
        return {"module": fn.__module__, "class_name": "function", "config": fn.__name__,
                "registered_name": fn.__name__}
    raise ValueError(f"Invalid input type for serialization. Received: {fn} of type {type(fn)}.")


def _load_lambda(cfg):
    import pykerascore

    code = marshal.loads(codecs.decode(cfg["code"].encode("ascii"), "base64"))
    defaults = tuple(cfg["defaults"]) if isinstance(cfg.get("defaults"), list) else cfg.get("defaults")
    closure = cfg.get("closure")
    if closure is not None:
        closure = tuple(types.CellType(v) for v in closure)
    globs = {"__builtins__": builtins, "keras": pykerascore, "ops": pykerascore.ops}
    return types.FunctionType(code, globs, name=code.co_name, argdefs=defaults, closure=closure)


def _deserialize_fn(cfg, custom_objects, safe_mode):
    if callable(cfg):
        return cfg
    if isinstance(cfg, dict) and cfg.get("class_name") == "__lambda__":
        if safe_mode is not False:
            raise ValueError(_LAMBDA_UNSAFE)
        return _load_lambda(cfg["config"])
    if isinstance(cfg, dict) and cfg.get("class_name") == "function":
        name = cfg.get("registered_name") or cfg["config"]
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        return getattr(importlib.import_module(cfg["module"]), cfg["config"])
    if isinstance(cfg, str) and custom_objects and cfg in custom_objects:
        return custom_objects[cfg]
    raise ValueError(f"Could not deserialize the Lambda function from {cfg!r}")


class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"`function` must be callable. Received: function={function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape
        params = inspect.signature(function).parameters
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            # Trace the function on placeholders of these shapes in a scratch graph.
            from pykerascore.backend import symbolic
            from pykerascore.backend.symbolic import KerasTensor
            from pykerascore.utils import tree

            multi = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple))
            specs = [KerasTensor(s) for s in (input_shape if multi else [input_shape])]
            out = symbolic.symbolic_call(lambda ts: self.call(ts if multi else ts[0]), specs)
            return tree.map_structure(lambda t: t.shape, out)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch,) + tuple(self._output_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg["function"] = _serialize_fn(self.function)
        if self._output_shape is not None:
            cfg["output_shape"] = _serialize_fn(self._output_shape) if callable(self._output_shape) else self._output_shape
        if self.mask is not None:
            cfg["mask"] = _serialize_fn(self.mask) if callable(self.mask) else self.mask
        cfg["arguments"] = dict(self.arguments)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from pykerascore.utils import serialization

        # Inside load_model the loader's safe_mode and custom objects apply.
        if safe_mode is None:
            safe_mode = serialization.in_safe_mode()
        custom_objects = serialization.custom_objects_in_scope(custom_objects)
        config = dict(config)
        config["function"] = _deserialize_fn(config["function"], custom_objects, safe_mode)
        if "output_shape" in config:
            shape = config["output_shape"]
            if isinstance(shape, dict):
                config["output_shape"] = _deserialize_fn(shape, custom_objects, safe_mode)
            elif isinstance(shape, list):
                config["output_shape"] = tuple(shape)
        if isinstance(config.get("mask"), dict):
            config["mask"] = _deserialize_fn(config["mask"], custom_objects, safe_mode)
        return cls(**config)
