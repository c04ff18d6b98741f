"""BatchNormalization (Keras semantics). Training (training=True and the layer trainable):
normalise with the batch mean and biased variance over every axis but `axis` (`batch_moments`,
differentiable) and move moving_mean/moving_variance in place (`moving_average_update`, a state
op the program always runs). Otherwise: normalise with the moving statistics.
"""

from pykerascore import constraints, initializers, ops, regularizers
from pykerascore.backend.symbolic import emit
from pykerascore.layers.layer import Layer


class BatchNormalization(Layer):
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise ValueError("BatchNormalization(renorm=True) is not supported by pykerascore")
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported with the TensorFlow backend.")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.synchronized = False
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}. Received: axis={self.axis}")
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}': axis {self.axis} of input shape {tuple(input_shape)} must have a known size")
        shape = (int(channels),)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer, trainable=False,
                                           name="moving_mean")
        self.moving_variance = self.add_weight(shape=shape, initializer=self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self._rank = rank
        self.built = True

    def _attrs(self):
        return {"axis": self.axis % self._rank, "epsilon": self.epsilon, "scale": int(self.scale), "center": int(self.center)}

    def _params(self, dtype):
        # Keras computes in the input's dtype: parameters are cast to it.
        return [ops.cast(v, dtype) if v.dtype != dtype else v for v in (self.gamma, self.beta) if v is not None]

    def call(self, inputs, training=None):
        dtype = inputs.dtype
        if len(inputs.shape) != self._rank:
            raise ValueError(f"Layer '{self.name}' was built for rank {self._rank} inputs, got shape {tuple(inputs.shape)}")
        if training and self.trainable:
            # As Keras: batch moments, then the same normalisation as inference (so the gradient
            # flows through the statistics), and the moving statistics move towards the batch's.
            mean, var = emit("batch_moments", [inputs], {"axis": self.axis % self._rank}, name=self.name, num_outputs=2)
            for state, value in ((self.moving_mean, mean), (self.moving_variance, var)):
                emit("moving_average_update", [state, ops.cast(value, state.dtype)], {"momentum": self.momentum},
                     name=f"{self.name}/{state.name}")
        else:
            mean, var = [ops.cast(v, dtype) if v.dtype != dtype else v for v in (self.moving_mean, self.moving_variance)]
        return emit("batch_normalization", [inputs, mean, var] + self._params(dtype), self._attrs(), name=self.name)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized, "renorm": self.renorm, "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return cfg

