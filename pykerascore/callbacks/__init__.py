# The callbacks family: the Callback base, CallbackList, and the callbacks Keras adds to
# every fit (History, ProgbarLogger). Callbacks see only the public Model API and logs
# dicts; nothing here may import pykerascore.backend or anything native.
from pykerascore.callbacks.callback import Callback
from pykerascore.callbacks.callback_list import CallbackList
from pykerascore.callbacks.history import History
from pykerascore.callbacks.progbar_logger import ProgbarLogger
