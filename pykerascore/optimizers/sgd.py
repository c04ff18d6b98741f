"""SGD with optional (Nesterov) momentum: m = momentum*m - lr*g; p += m (Nesterov: p += momentum*m - lr*g).
Update rule: csrc/ops/optimizers.cpp; this file holds only arguments and validation."""

from pykerascore.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    _native_name = "sgd"
    _state_groups = ((("momentum", 0),),)  # Keras's build() order

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self._build_native(momentum=momentum, nesterov=nesterov)
