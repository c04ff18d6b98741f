"""Run by the resume tests in a subprocess: trains a model with Dropout, shuffle=True and a
learning-rate schedule for EPOCHS epochs, optionally SIGKILLing itself at the end of epoch
`--kill-at`, and saves the final weights to `--out`. `--mode` picks how the run is backed up
and resumed: BackupAndRestore, or ModelCheckpoint(save_weights_only) + load_weights +
initial_epoch."""

import argparse
import os
import signal

import numpy as np

import pykerascore as keras

EPOCHS = 6

parser = argparse.ArgumentParser()
parser.add_argument("--mode", choices=["backup", "checkpoint"], required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--kill-at", type=int, default=-1)
parser.add_argument("--resume-from", type=int, default=0)  # checkpoint mode: epochs already saved
parser.add_argument("--save-freq", default="epoch")
args = parser.parse_args()

keras.utils.set_random_seed(7)
data = np.random.default_rng(3)
x = data.normal(size=(60, 5)).astype("float32")
y = (x @ data.normal(size=(5, 2))).astype("float32")
model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.4),
                          keras.layers.Dense(2)])
schedule = keras.optimizers.schedules.ExponentialDecay(0.02, decay_steps=4, decay_rate=0.8)
model.compile(keras.optimizers.Adam(learning_rate=schedule), "mse")


class KillAt(keras.callbacks.Callback):
    """Dies without any clean-up, like a preempted job, once epoch `epoch` is backed up."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)


callbacks = []
initial_epoch = 0
if args.mode == "backup":
    freq = args.save_freq if args.save_freq == "epoch" else int(args.save_freq)
    callbacks.append(keras.callbacks.BackupAndRestore(args.dir, save_freq=freq))
else:
    path = os.path.join(args.dir, "ckpt-{epoch:02d}.weights.h5")
    callbacks.append(keras.callbacks.ModelCheckpoint(path, save_weights_only=True))
    if args.resume_from:
        model.load_weights(path.format(epoch=args.resume_from))
        initial_epoch = args.resume_from
if args.kill_at >= 0:
    callbacks.append(KillAt(args.kill_at))
model.fit(x, y, batch_size=8, epochs=EPOCHS, shuffle=True, verbose=0, callbacks=callbacks,
          initial_epoch=initial_epoch)
np.save(args.out, np.concatenate([w.ravel() for w in model.get_weights()]))
