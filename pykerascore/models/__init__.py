"""Models: Model, Sequential, Functional."""

from pykerascore.models.functional import Functional  # noqa: F401
from pykerascore.models.model import Model  # noqa: F401
from pykerascore.models.sequential import Sequential  # noqa: F401
from pykerascore.models.model_config import model_from_json  # noqa: F401
