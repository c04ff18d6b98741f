"""Counts training batches between saves for the callbacks with an integer `save_freq`
(ModelCheckpoint, BackupAndRestore). It only counts: what to save is the callback's job.

Batch hooks see the index of the last batch of each native execution, so with
steps_per_execution=N several batches pass between two calls; an index that does not grow
means a new epoch began (the epoch's batches 0..index have passed)."""


class BatchCounter:
    def __init__(self, every):
        self.every = every
        self.since_last_save = 0
        self.last_batch = None  # index of the last batch seen in this epoch

    def due(self, batch):
        """Counts up to `batch`; True when `every` batches have passed since the last save."""
        if self.last_batch is None or batch <= self.last_batch:
            added = batch + 1
        else:
            added = batch - self.last_batch
        self.since_last_save += added
        self.last_batch = batch
        if self.since_last_save >= self.every:
            self.since_last_save = 0
            return True
        return False
