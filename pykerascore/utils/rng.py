"""Global seeding. `set_random_seed` makes weight initialisation, shuffling and every other
draw reproducible; without it, seeds come from the OS."""

import random

import numpy as np

_global = {"seed": None, "generator": None}


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's global RNG and pykerascore's own generator."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed}")
    random.seed(seed)
    np.random.seed(seed)
    _global["seed"] = seed
    _global["generator"] = np.random.default_rng(seed)


def _default_generator():
    if _global["generator"] is None:
        _global["generator"] = np.random.default_rng()
    return _global["generator"]


def generator(seed=None):
    """A NumPy Generator: seeded from `seed` when given, else the next stream of the global one."""
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng(_default_generator().integers(0, 2**63 - 1))


def draw_seed():
    """A 63-bit seed for native RNG streams (shuffling, dropout)."""
    return int(_default_generator().integers(0, 2**63 - 1))
