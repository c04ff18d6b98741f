"""Losses: classes, functions, and `get` / `serialize` / `deserialize` by name (Keras 3 names
plus the Keras 2 aliases). Lookup tables only; the losses live in loss.py and losses.py."""

import inspect

from pykerascore.utils.serialization import custom_objects_in_scope
from pykerascore.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values, squeeze_or_expand_to_same_rank  # noqa: F401
from pykerascore.losses.losses import (  # noqa: F401
    BCE,
    CCE,
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    bce,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    cce,
    class_weight_to_sample_weight,
    cosine_similarity,
    hinge,
    huber,
    huber_loss,
    kl_divergence,
    kld,
    kullback_leibler_divergence,
    log_cosh,
    logcosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

_CLASSES = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge,
)
# Each function and the class that wraps it (what `get("mse")` builds for the trainer).
_FUNCTIONS = {
    kl_divergence: KLDivergence, poisson: Poisson, binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError, mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, cosine_similarity: CosineSimilarity,
    log_cosh: LogCosh, huber: Huber, hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
}

ALL_OBJECTS_DICT = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS_DICT.update({f.__name__: f for f in _FUNCTIONS})
ALL_OBJECTS_DICT.update({
    "bce": bce, "BCE": BCE, "cce": cce, "CCE": CCE, "kld": kld, "KLD": KLD, "mae": mae, "MAE": MAE, "mse": mse,
    "MSE": MSE, "mape": mape, "MAPE": MAPE, "msle": msle, "MSLE": MSLE, "logcosh": logcosh,
    "kullback_leibler_divergence": kullback_leibler_divergence, "huber_loss": huber_loss,
})


def serialize(loss):
    """A Loss instance or loss function as Keras's {module, class_name, config, registered_name}."""
    if loss is None:
        return None
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__, "config": loss.get_config(),
                "registered_name": None}
    if callable(loss) and hasattr(loss, "__name__"):
        return {"module": "builtins", "class_name": "function", "config": loss.__name__, "registered_name": "function"}
    raise ValueError(f"Cannot serialize loss {loss!r}")


def _lookup(name, custom_objects):
    obj = custom_objects_in_scope(custom_objects).get(name) or ALL_OBJECTS_DICT.get(name)
    if obj is None:
        raise ValueError(f"Unknown loss: '{name}'. Pass it in `custom_objects` if it is a custom loss.")
    return obj


def deserialize(name, custom_objects=None):
    """The inverse of `serialize`; a string gives the function or a new instance of the class."""
    if isinstance(name, str):
        obj = _lookup(name, custom_objects)
        return obj() if inspect.isclass(obj) else obj
    if isinstance(name, dict):
        cls_name, config = name.get("class_name"), name.get("config", {})
        registered = name.get("registered_name")
        if cls_name == "function":
            key = registered if registered not in (None, "function") else config
            return _lookup(key if key in custom_objects_in_scope(custom_objects) else config, custom_objects)
        cls = _lookup(registered if registered in custom_objects_in_scope(custom_objects) else cls_name,
                      custom_objects)
        return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)
    raise ValueError(f"Could not interpret serialized loss: {name!r}")


def get(identifier):
    """A Loss instance for `compile`: None stays None; a name, config dict, class, instance or
    function gives a Loss (functions are wrapped, names of built-ins give their class)."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        identifier = deserialize(identifier)
        if isinstance(identifier, Loss):
            return identifier
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier}")
        identifier = obj
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret loss identifier: {identifier}")
