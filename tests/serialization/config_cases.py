"""Constructor arguments (non-default where the class has any) for every public built-in class of
layers, losses, metrics, optimizers, schedules, initializers, regularizers and constraints,
shared by the round-trip tests here and the real-Keras comparison in
tests/peer/test_configs_peer.py. `lib` is pykerascore or keras. A class left out must be in
SKIPPED with the reason; test_config_coverage.py enforces that."""

# Classes with no case, by family: abstract bases (no config of their own) and classes whose
# config holds an arbitrary Python callable, which a config cannot carry by name.
SKIPPED = {
    "layers": {"Layer": "abstract base class",
               "Lambda": "wraps an arbitrary Python function (serialized as bytecode only when safe_mode=False)"},
    "losses": {"Loss": "abstract base class"},
    "metrics": {"Metric": "abstract base class"},
    "optimizers": {"Optimizer": "abstract base class"},
    "schedules": {"LearningRateSchedule": "abstract base class"},
    "initializers": {"Initializer": "abstract base class"},
    "regularizers": {"Regularizer": "abstract base class"},
    "constraints": {"Constraint": "abstract base class"},
}


def layers(lib):
    L, I, R, C = lib.layers, lib.initializers, lib.regularizers, lib.constraints
    return {
        "InputLayer": lambda: L.InputLayer(shape=(6,), batch_size=4, name="input_x"),
        "Dense": lambda: L.Dense(3, activation="relu", use_bias=False, kernel_initializer="he_normal",
                                 kernel_regularizer=R.L2(0.01), kernel_constraint=C.MaxNorm(2.0),
                                 activity_regularizer=R.L1(0.001), name="dense_x"),
        "Activation": lambda: L.Activation("tanh", name="act_x"),
        "Embedding": lambda: L.Embedding(10, 4, embeddings_initializer=I.RandomNormal(stddev=0.1, seed=2),
                                         embeddings_regularizer=R.L2(0.01), embeddings_constraint=C.UnitNorm(axis=1),
                                         mask_zero=True, name="emb_x"),
        "Dropout": lambda: L.Dropout(0.3, noise_shape=(None, 1), seed=3, name="drop_x"),
        "Flatten": lambda: L.Flatten(data_format="channels_first", name="flat_x"),
        "Reshape": lambda: L.Reshape((2, 3), name="reshape_x"),
        "Add": lambda: L.Add(name="add_x"),
        "Subtract": lambda: L.Subtract(name="sub_x"),
        "Multiply": lambda: L.Multiply(name="mul_x"),
        "Average": lambda: L.Average(name="avg_x"),
        "Maximum": lambda: L.Maximum(name="max_x"),
        "Minimum": lambda: L.Minimum(name="min_x"),
        "Concatenate": lambda: L.Concatenate(axis=1, name="cat_x"),
        "BatchNormalization": lambda: L.BatchNormalization(
            axis=1, momentum=0.9, epsilon=1e-2, center=False, gamma_initializer="glorot_uniform",
            moving_variance_initializer=I.Constant(2.0), gamma_regularizer=R.L2(0.02),
            gamma_constraint=C.NonNeg(), name="bn_x"),
        "LayerNormalization": lambda: L.LayerNormalization(
            epsilon=1e-4, scale=False, beta_initializer="ones", beta_regularizer=R.L1(0.01),
            beta_constraint=C.MaxNorm(3.0), name="ln_x"),
    }


def _loss_function_wrapper(lib):
    # Keras 3 does not export LossFunctionWrapper from keras.losses; the class lives in keras.src.
    return getattr(lib.losses, "LossFunctionWrapper", None) or lib.src.losses.losses.LossFunctionWrapper


def losses(lib):
    S = lib.losses
    return {
        "MeanSquaredError": lambda: S.MeanSquaredError(reduction="sum", name="mse_x"),
        "MeanAbsoluteError": lambda: S.MeanAbsoluteError(reduction="mean", name="mae_x"),
        "MeanAbsolutePercentageError": lambda: S.MeanAbsolutePercentageError(reduction="sum", name="mape_x"),
        "MeanSquaredLogarithmicError": lambda: S.MeanSquaredLogarithmicError(reduction="mean", name="msle_x"),
        "CosineSimilarity": lambda: S.CosineSimilarity(axis=0, reduction="sum", name="cos_x"),
        "Huber": lambda: S.Huber(delta=0.5, name="huber_x"),
        "LogCosh": lambda: S.LogCosh(reduction="sum", name="logcosh_x"),
        "Hinge": lambda: S.Hinge(reduction="sum", name="hinge_x"),
        "SquaredHinge": lambda: S.SquaredHinge(reduction="mean", name="sqhinge_x"),
        "CategoricalHinge": lambda: S.CategoricalHinge(reduction="sum", name="chinge_x"),
        "KLDivergence": lambda: S.KLDivergence(reduction="sum", name="kld_x"),
        "Poisson": lambda: S.Poisson(reduction="mean", name="poisson_x"),
        "BinaryCrossentropy": lambda: S.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, name="bce_x"),
        "BinaryFocalCrossentropy": lambda: S.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=0.3, gamma=1.5, from_logits=True, label_smoothing=0.1,
            reduction="sum", name="bfce_x"),
        "CategoricalCrossentropy": lambda: S.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2,
                                                                     name="cce_x"),
        "CategoricalFocalCrossentropy": lambda: S.CategoricalFocalCrossentropy(
            alpha=0.4, gamma=3.0, from_logits=True, label_smoothing=0.1, reduction="sum", name="cfce_x"),
        "SparseCategoricalCrossentropy": lambda: S.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2,
                                                                                 name="scce_x"),
        "LossFunctionWrapper": lambda: _loss_function_wrapper(lib)(S.mean_absolute_error, reduction="sum",
                                                                   name="wrapped_x"),
    }


def metrics(lib):
    M = lib.metrics
    return {
        "Mean": lambda: M.Mean(name="mean_x"),
        "Sum": lambda: M.Sum(name="sum_x"),
        "MeanMetricWrapper": lambda: M.MeanMetricWrapper(M.mean_absolute_error, name="wrapped_x"),
        "MeanSquaredError": lambda: M.MeanSquaredError(name="mse_x"),
        "RootMeanSquaredError": lambda: M.RootMeanSquaredError(name="rmse_x"),
        "MeanAbsoluteError": lambda: M.MeanAbsoluteError(name="mae_x"),
        "MeanAbsolutePercentageError": lambda: M.MeanAbsolutePercentageError(name="mape_x"),
        "MeanSquaredLogarithmicError": lambda: M.MeanSquaredLogarithmicError(name="msle_x"),
        "CosineSimilarity": lambda: M.CosineSimilarity(name="cos_x", axis=-1),
        "LogCoshError": lambda: M.LogCoshError(name="logcosh_x"),
        "R2Score": lambda: M.R2Score(class_aggregation="variance_weighted_average", num_regressors=1, name="r2_x"),
        "Accuracy": lambda: M.Accuracy(name="acc_x"),
        "BinaryAccuracy": lambda: M.BinaryAccuracy(threshold=0.7, name="bacc_x"),
        "CategoricalAccuracy": lambda: M.CategoricalAccuracy(name="cacc_x"),
        "SparseCategoricalAccuracy": lambda: M.SparseCategoricalAccuracy(name="scacc_x"),
        "TopKCategoricalAccuracy": lambda: M.TopKCategoricalAccuracy(k=2, name="topk_x"),
        "SparseTopKCategoricalAccuracy": lambda: M.SparseTopKCategoricalAccuracy(k=2, name="stopk_x"),
        "AUC": lambda: M.AUC(num_thresholds=50, curve="PR", summation_method="minoring", multi_label=True,
                             num_labels=3, label_weights=[0.5, 1.0, 2.0], from_logits=True, name="auc_x"),
        "Precision": lambda: M.Precision(thresholds=0.3, class_id=1, name="prec_x"),
        "Recall": lambda: M.Recall(top_k=2, name="rec_x"),
        "TruePositives": lambda: M.TruePositives(thresholds=[0.2, 0.6], name="tp_x"),
        "TrueNegatives": lambda: M.TrueNegatives(thresholds=0.3, name="tn_x"),
        "FalsePositives": lambda: M.FalsePositives(thresholds=[0.4], name="fp_x"),
        "FalseNegatives": lambda: M.FalseNegatives(thresholds=0.7, name="fn_x"),
        "Hinge": lambda: M.Hinge(name="hinge_x"),
        "SquaredHinge": lambda: M.SquaredHinge(name="sqhinge_x"),
        "CategoricalHinge": lambda: M.CategoricalHinge(name="chinge_x"),
        "KLDivergence": lambda: M.KLDivergence(name="kld_x"),
        "Poisson": lambda: M.Poisson(name="poisson_x"),
        "BinaryCrossentropy": lambda: M.BinaryCrossentropy(name="bce_x", from_logits=True, label_smoothing=0.1),
        "CategoricalCrossentropy": lambda: M.CategoricalCrossentropy(name="cce_x", from_logits=True,
                                                                     label_smoothing=0.2),
        "SparseCategoricalCrossentropy": lambda: M.SparseCategoricalCrossentropy(name="scce_x", from_logits=True),
    }


def optimizers(lib):
    O = lib.optimizers
    return {
        "SGD": lambda: O.SGD(learning_rate=0.05, momentum=0.9, nesterov=True, clipnorm=1.0, name="sgd_x"),
        "Adam": lambda: O.Adam(learning_rate=0.002, beta_1=0.8, amsgrad=True, weight_decay=0.01, name="adam_x"),
        "AdamW": lambda: O.AdamW(learning_rate=0.002, weight_decay=0.05, global_clipnorm=2.0, name="adamw_x"),
        "Adamax": lambda: O.Adamax(learning_rate=0.003, beta_1=0.85, beta_2=0.99, epsilon=1e-6, clipvalue=0.5,
                                   name="adamax_x"),
        "Nadam": lambda: O.Nadam(learning_rate=0.004, beta_1=0.85, beta_2=0.995, use_ema=True, ema_momentum=0.9,
                                 ema_overwrite_frequency=5, name="nadam_x"),
        "RMSprop": lambda: O.RMSprop(learning_rate=0.003, rho=0.8, momentum=0.5, centered=True, name="rms_x"),
        "Adagrad": lambda: O.Adagrad(learning_rate=0.02, initial_accumulator_value=0.2, epsilon=1e-5,
                                     name="adagrad_x"),
        "Adadelta": lambda: O.Adadelta(learning_rate=0.5, rho=0.9, epsilon=1e-6, loss_scale_factor=4.0,
                                       name="adadelta_x"),
        "Ftrl": lambda: O.Ftrl(learning_rate=0.05, learning_rate_power=-0.4, initial_accumulator_value=0.2,
                               l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                               l2_shrinkage_regularization_strength=0.03, beta=0.1, name="ftrl_x"),
        "Lion": lambda: O.Lion(learning_rate=0.0005, beta_1=0.8, beta_2=0.95, gradient_accumulation_steps=2,
                               name="lion_x"),
        # The inner optimizer is named: Keras numbers unnamed optimizers (sgd, sgd_1, ...) per process.
        "LossScaleOptimizer": lambda: O.LossScaleOptimizer(O.SGD(0.05, momentum=0.5, name="sgd_inner"),
                                                           initial_scale=8.0, dynamic_growth_steps=10, name="lso_x"),
    }


def schedules(lib):
    S = lib.optimizers.schedules
    return {
        "ExponentialDecay": lambda: S.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True,
                                                       name="exp_x"),
        "PiecewiseConstantDecay": lambda: S.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01], name="pc_x"),
        "PolynomialDecay": lambda: S.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0, cycle=True,
                                                     name="poly_x"),
        "InverseTimeDecay": lambda: S.InverseTimeDecay(0.1, 10, 0.5, staircase=True, name="inv_x"),
        "CosineDecay": lambda: S.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10,
                                             name="cos_x"),
        "CosineDecayRestarts": lambda: S.CosineDecayRestarts(0.1, 10, t_mul=3.0, m_mul=0.5, alpha=0.05,
                                                             name="sgdr_x"),
    }


def initializers(lib):
    I = lib.initializers
    return {
        "Constant": lambda: I.Constant(0.3),
        "Zeros": lambda: I.Zeros(),
        "Ones": lambda: I.Ones(),
        "Identity": lambda: I.Identity(gain=2.0),
        "RandomNormal": lambda: I.RandomNormal(mean=0.1, stddev=0.2, seed=4),
        "RandomUniform": lambda: I.RandomUniform(-0.2, 0.3, seed=4),
        "TruncatedNormal": lambda: I.TruncatedNormal(mean=0.2, stddev=0.3, seed=4),
        "VarianceScaling": lambda: I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=6),
        "GlorotUniform": lambda: I.GlorotUniform(seed=5),
        "GlorotNormal": lambda: I.GlorotNormal(seed=5),
        "HeUniform": lambda: I.HeUniform(seed=5),
        "HeNormal": lambda: I.HeNormal(seed=5),
        "LecunUniform": lambda: I.LecunUniform(seed=5),
        "LecunNormal": lambda: I.LecunNormal(seed=5),
        "Orthogonal": lambda: I.Orthogonal(gain=1.5, seed=7),
    }


def regularizers(lib):
    R = lib.regularizers
    return {
        "L1": lambda: R.L1(0.02),
        "L2": lambda: R.L2(0.03),
        "L1L2": lambda: R.L1L2(l1=0.01, l2=0.02),
        "OrthogonalRegularizer": lambda: R.OrthogonalRegularizer(factor=0.02, mode="columns"),
    }


def constraints(lib):
    C = lib.constraints
    return {
        "MaxNorm": lambda: C.MaxNorm(max_value=3.0, axis=1),
        "MinMaxNorm": lambda: C.MinMaxNorm(min_value=0.5, max_value=2.0, rate=0.5, axis=1),
        "NonNeg": lambda: C.NonNeg(),
        "UnitNorm": lambda: C.UnitNorm(axis=1),
    }


FAMILIES = {"layers": layers, "losses": losses, "metrics": metrics, "optimizers": optimizers,
            "schedules": schedules, "initializers": initializers, "regularizers": regularizers,
            "constraints": constraints}


def family_modules(lib):
    """(module, base class) per family: where the coverage test looks for public classes."""
    return {"layers": (lib.layers, lib.layers.Layer), "losses": (lib.losses, lib.losses.Loss),
            "metrics": (lib.metrics, lib.metrics.Metric), "optimizers": (lib.optimizers, lib.optimizers.Optimizer),
            "schedules": (lib.optimizers.schedules, lib.optimizers.schedules.LearningRateSchedule),
            "initializers": (lib.initializers, lib.initializers.Initializer),
            "regularizers": (lib.regularizers, lib.regularizers.Regularizer),
            "constraints": (lib.constraints, lib.constraints.Constraint)}
