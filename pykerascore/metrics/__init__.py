"""Metrics: classes, value functions, and `get / serialize / deserialize` by name (Keras's
names: class names, their snake_case forms, and the mse/mae/mape/msle/bce aliases)."""

import inspect

from pykerascore.utils.serialization import custom_objects_in_scope
from pykerascore.metrics.accuracy_metrics import (  # noqa: F401
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from pykerascore.metrics.confusion_metrics import (  # noqa: F401
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from pykerascore.metrics.hinge_metrics import (  # noqa: F401
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from pykerascore.metrics.metric import Metric, to_snake_case  # noqa: F401
from pykerascore.metrics.probabilistic_metrics import (  # noqa: F401
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from pykerascore.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum  # noqa: F401
from pykerascore.metrics.regression_metrics import (  # noqa: F401
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)

ALL_OBJECTS = {
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score, AUC,
    FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
}
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})


def serialize(metric):
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config, custom_objects=None):
    objects = {**ALL_OBJECTS_DICT, **custom_objects_in_scope(custom_objects)}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict):
        raise ValueError(f"Could not interpret metric identifier: {config!r}")
    # Keras's function envelope names the function in `config`; a registered object by
    # "package>name" in `registered_name`.
    names = [config.get("registered_name"), config.get("class_name")]
    if config.get("class_name") == "function":
        names.append(config.get("config"))
    name = next((n for n in names if isinstance(n, str) and n in objects), None)
    if name is None:
        raise ValueError(f"Could not interpret metric identifier: {config!r}")
    obj = objects[name]
    if not inspect.isclass(obj):
        return obj
    return obj.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A Metric instance for a name, config dict, class or instance; a plain function is
    wrapped in a MeanMetricWrapper (the compile machinery expects Metric objects)."""
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS_DICT.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
        return cls()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
