"""Adam (optionally AMSGrad), Keras 3 defaults: lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
Update rule: csrc/ops/optimizers.cpp; this file holds only arguments and validation."""

from pykerascore.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    _native_name = "adam"
    _state_groups = ((("momentum", 0), ("velocity", 1)), (("velocity_hat", 2),))  # Keras's build() order

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self._build_native(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad)
