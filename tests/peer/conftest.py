"""Differential tests against real Keras 3 (JAX backend); skipped when Keras is not installed."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")


@pytest.fixture(scope="session")
def real_keras():
    keras = pytest.importorskip("keras")
    pytest.importorskip("jax")
    if keras.backend.backend() != "jax":
        pytest.skip("differential tests need KERAS_BACKEND=jax")
    return keras
