"""Shared fixtures: every test starts from a fixed global seed."""

import pytest

import pykerascore as keras


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield
