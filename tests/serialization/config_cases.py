"""Constructor arguments (non-default where the class has any) for every built-in object whose
config is written into model files, shared by the round-trip tests here and the real-Keras
comparison in tests/peer/test_configs_peer.py. `lib` is pykerascore or keras."""


def layers(lib):
    L = lib.layers
    return {
        "Dense": lambda: L.Dense(3, activation="relu", use_bias=False, kernel_initializer="he_normal",
                                 kernel_regularizer=lib.regularizers.L2(0.01), name="dense_x"),
        "Activation": lambda: L.Activation("tanh", name="act_x"),
        "Embedding": lambda: L.Embedding(10, 4, name="emb_x"),
        "Dropout": lambda: L.Dropout(0.3, seed=3, name="drop_x"),
        "Flatten": lambda: L.Flatten(name="flat_x"),
        "Reshape": lambda: L.Reshape((2, 3), name="reshape_x"),
        "Add": lambda: L.Add(name="add_x"),
        "Concatenate": lambda: L.Concatenate(axis=1, name="cat_x"),
        "BatchNormalization": lambda: L.BatchNormalization(momentum=0.9, epsilon=1e-2, center=False, name="bn_x"),
        "LayerNormalization": lambda: L.LayerNormalization(epsilon=1e-4, name="ln_x"),
    }


def losses(lib):
    S = lib.losses
    return {
        "MeanSquaredError": lambda: S.MeanSquaredError(reduction="sum", name="mse_x"),
        "MeanAbsoluteError": lambda: S.MeanAbsoluteError(name="mae_x"),
        "Huber": lambda: S.Huber(delta=0.5, name="huber_x"),
        "BinaryCrossentropy": lambda: S.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, name="bce_x"),
        "CategoricalCrossentropy": lambda: S.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2,
                                                                     name="cce_x"),
        "SparseCategoricalCrossentropy": lambda: S.SparseCategoricalCrossentropy(from_logits=True, name="scce_x"),
    }


def metrics(lib):
    M = lib.metrics
    return {
        "Mean": lambda: M.Mean(name="mean_x"),
        "MeanSquaredError": lambda: M.MeanSquaredError(name="mse_x"),
        "BinaryAccuracy": lambda: M.BinaryAccuracy(threshold=0.7, name="bacc_x"),
        "CategoricalAccuracy": lambda: M.CategoricalAccuracy(name="cacc_x"),
        "AUC": lambda: M.AUC(num_thresholds=50, curve="PR", name="auc_x"),
        "Precision": lambda: M.Precision(thresholds=0.3, name="prec_x"),
        "Recall": lambda: M.Recall(top_k=2, name="rec_x"),
        "RootMeanSquaredError": lambda: M.RootMeanSquaredError(name="rmse_x"),
    }


def optimizers(lib):
    O = lib.optimizers
    return {
        "SGD": lambda: O.SGD(learning_rate=0.05, momentum=0.9, nesterov=True, clipnorm=1.0, name="sgd_x"),
        "Adam": lambda: O.Adam(learning_rate=0.002, beta_1=0.8, amsgrad=True, weight_decay=0.01, name="adam_x"),
        "RMSprop": lambda: O.RMSprop(learning_rate=0.003, rho=0.8, centered=True, name="rms_x"),
        "Adagrad": lambda: O.Adagrad(learning_rate=0.02, initial_accumulator_value=0.2, name="adagrad_x"),
        "AdamW": lambda: O.AdamW(learning_rate=0.002, weight_decay=0.05, name="adamw_x"),
    }


def schedules(lib):
    S = lib.optimizers.schedules
    return {
        "ExponentialDecay": lambda: S.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True),
        "PiecewiseConstantDecay": lambda: S.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01]),
        "PolynomialDecay": lambda: S.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0),
        "InverseTimeDecay": lambda: S.InverseTimeDecay(0.1, 10, 0.5),
        "CosineDecay": lambda: S.CosineDecay(0.1, 100, alpha=0.1),
        "CosineDecayRestarts": lambda: S.CosineDecayRestarts(0.1, 10, t_mul=2.0, m_mul=0.5),
    }


def initializers(lib):
    I = lib.initializers
    return {
        "Constant": lambda: I.Constant(0.3),
        "RandomNormal": lambda: I.RandomNormal(mean=0.1, stddev=0.2, seed=4),
        "RandomUniform": lambda: I.RandomUniform(-0.2, 0.3, seed=4),
        "TruncatedNormal": lambda: I.TruncatedNormal(stddev=0.3, seed=4),
        "GlorotUniform": lambda: I.GlorotUniform(seed=5),
        "HeNormal": lambda: I.HeNormal(seed=5),
        "VarianceScaling": lambda: I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=6),
        "Orthogonal": lambda: I.Orthogonal(gain=1.5, seed=7),
        "Identity": lambda: I.Identity(gain=2.0),
        "Zeros": lambda: I.Zeros(),
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
