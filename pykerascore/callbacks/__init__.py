# The callbacks family: the Callback base, CallbackList, the callbacks Keras adds to every fit
# (History, ProgbarLogger) and the optional ones users pass (EarlyStopping, ReduceLROnPlateau,
# LearningRateScheduler, LambdaCallback, CSVLogger, TerminateOnNaN, SwapEMAWeights, ModelCheckpoint,
# BackupAndRestore). Callbacks see
# only the public Model API and logs dicts; nothing here may import pykerascore.backend or anything native.
from pykerascore.callbacks.callback import Callback
from pykerascore.callbacks.callback_list import CallbackList
from pykerascore.callbacks.history import History
from pykerascore.callbacks.progbar_logger import ProgbarLogger
from pykerascore.callbacks.monitor_callback import MonitorCallback
from pykerascore.callbacks.early_stopping import EarlyStopping
from pykerascore.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from pykerascore.callbacks.learning_rate_scheduler import LearningRateScheduler
from pykerascore.callbacks.lambda_callback import LambdaCallback
from pykerascore.callbacks.csv_logger import CSVLogger
from pykerascore.callbacks.terminate_on_nan import TerminateOnNaN
from pykerascore.callbacks.swap_ema_weights import SwapEMAWeights
from pykerascore.callbacks.model_checkpoint import ModelCheckpoint
from pykerascore.callbacks.backup_and_restore import BackupAndRestore
