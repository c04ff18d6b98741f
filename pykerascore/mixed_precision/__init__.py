"""Mixed-precision policies (Keras names): `DTypePolicy` / `Policy`, `set_global_policy`,
`global_policy`, and `LossScaleOptimizer`.

A layer takes the global policy when it is created, and `compile(auto_scale_loss=True)` wraps
the optimizer in a LossScaleOptimizer under "mixed_float16", as Keras does. The CPU engine
computes in float32 under every policy (numerically at least as accurate; a one-time warning
says so): the policy's compute dtype is reported, not used for the arithmetic.
"""

import warnings

import numpy as np

from pykerascore.optimizers.loss_scale_optimizer import LossScaleOptimizer  # noqa: F401

_NAMES = ("float32", "float64", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16")


class DTypePolicy:
    def __init__(self, name="float32"):
        if name not in _NAMES:
            try:  # any plain dtype is a policy of its own ("int32", ...)
                name = str(np.dtype(name))
            except TypeError as e:
                raise ValueError(f"Cannot convert '{name}' to a DTypePolicy. Valid policies: {_NAMES} or a dtype") from e
        self.name = name

    @property
    def compute_dtype(self):
        return {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}.get(self.name, self.name)

    @property
    def variable_dtype(self):
        return "float32" if self.name.startswith("mixed_") else self.name

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


Policy = DTypePolicy
_state = {"policy": DTypePolicy("float32"), "warned": False}


def set_global_policy(policy):
    """Sets the policy new layers take (a name or a DTypePolicy)."""
    policy = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)
    if policy.name != "float32" and not _state["warned"]:
        warnings.warn(
            f"Policy '{policy.name}': pykerascore's CPU engine computes in float32 under every policy; "
            "loss scaling (auto_scale_loss) still applies under 'mixed_float16'.",
            stacklevel=2,
        )
        _state["warned"] = True
    _state["policy"] = policy


def global_policy():
    return _state["policy"]


dtype_policy = global_policy
set_dtype_policy = set_global_policy
