"""RMSprop: v = rho*v + (1-rho)*g^2 (centered: minus the squared mean gradient), optional momentum.
Update rule: csrc/ops/optimizers.cpp; this file holds only arguments and validation."""

from pykerascore.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    _native_name = "rmsprop"
    _state_groups = ((("velocity", 0),), (("momentum", 1),), (("average_gradient", 2),))  # Keras's build() order

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self._build_native(rho=rho, momentum=momentum, epsilon=epsilon, centered=centered)
