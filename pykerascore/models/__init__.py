"""Models: Model, Sequential, Functional."""

from pykerascore.models.functional import Functional  # noqa: F401
from pykerascore.models.model import Model  # noqa: F401
from pykerascore.models.sequential import Sequential  # noqa: F401
from pykerascore.models.model_config import model_from_json  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a `.keras` or legacy `.h5` file (see pykerascore.saving.load_model)."""
    from pykerascore.saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    """Saves `model` to a `.keras` or legacy `.h5` file (see pykerascore.saving.save_model)."""
    from pykerascore.saving import save_model as _save

    _save(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer, save_format=save_format,
          **kwargs)
