"""Dense: y = activation(x @ kernel + bias), as one native op when the activation can be fused."""

from pykerascore import activations, constraints, initializers, regularizers
from pykerascore.backend.symbolic import emit, fusion_enabled
from pykerascore.layers.layer import Layer

# Activations run as the GEMM's epilogue. Sigmoid stays a separate op so that a following
# binary crossentropy can differentiate straight to the logits (its fused backward).
_FUSABLE = {"linear", "relu", "tanh", "relu6", "hard_sigmoid", "exponential"}


class Dense(Layer):
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: units={units}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"The last dimension of the inputs to Dense layer '{self.name}' must be known, got {input_shape}")
        self.kernel = self.add_weight(shape=(in_dim, self.units), initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        act = self.activation.__name__ if self.activation.__module__ == activations.__name__ else None
        if not fusion_enabled():  # jit_compile=False: GEMM, bias add and activation as separate ops
            y = emit("dense", [inputs, self.kernel], {"activation": "linear"}, name=self.name)
            if self.use_bias:
                y = emit("add", [y, self.bias], name=self.name)
            return self.activation(y)
        fused = act if act in _FUSABLE else "linear"
        args = [inputs, self.kernel] + ([self.bias] if self.use_bias else [])
        y = emit("dense", args, {"activation": fused}, name=self.name)
        return y if fused == act else self.activation(y)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "units": self.units, "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,  # Keras 3 writes it; this version does not quantize
        })
        return cfg
