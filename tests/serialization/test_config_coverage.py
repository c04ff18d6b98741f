"""Every public class of layers, losses, metrics, optimizers, schedules, initializers,
regularizers and constraints has a round-trip case in config_cases.py or an entry with a
reason in its SKIPPED table, so a new class without a case fails here."""

import os
import sys

import pytest

import pykerascore as keras

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import config_cases as cases  # noqa: E402


def _public_classes(module, base):
    """Names of the classes `module` exports that derive from `base` (aliases count once)."""
    found = set()
    for attr in dir(module):
        obj = getattr(module, attr)
        if not attr.startswith("_") and isinstance(obj, type) and issubclass(obj, base):
            found.add(obj.__name__)
    return found


@pytest.mark.parametrize("family", sorted(cases.FAMILIES))
def test_every_exported_class_has_a_case_or_a_reason(family):
    module, base = cases.family_modules(keras)[family]
    covered = set(cases.FAMILIES[family](keras)) | set(cases.SKIPPED[family])
    missing = _public_classes(module, base) - covered
    assert not missing, f"{family}: no config case and no SKIPPED reason for {sorted(missing)}"


@pytest.mark.parametrize("family", sorted(cases.FAMILIES))
def test_cases_name_real_exported_classes(family):
    """A case's key is the class it builds, and skipped names exist (no stale entries)."""
    module, base = cases.family_modules(keras)[family]
    exported = _public_classes(module, base)
    for name, make in cases.FAMILIES[family](keras).items():
        assert type(make()).__name__ == name
    assert set(cases.SKIPPED[family]) <= exported
    assert not set(cases.SKIPPED[family]) & set(cases.FAMILIES[family](keras))
