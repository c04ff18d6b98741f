"""EpochIterator: the steps of each epoch, cut into executions of `steps_per_execution` steps.

Who owns which argument (as in Keras):
- data adapter: x, y, sample_weight, batch_size, shuffle, class_weight, workers,
  use_multiprocessing, max_queue_size;
- epoch iterator (here): steps -- steps_per_epoch (None, N or -1), where a pass over the data
  starts and ends, running out of data, executions of N steps ("auto" sizes N by time);
- trainer: steps_per_execution's value, epochs, validation, callbacks, programs.
Knows nothing of models or programs: it says what to run next, the trainer runs it.
"""

import time
import warnings

# "auto" steps_per_execution aims for native calls of about this many seconds: long enough
# that callbacks and the progress bar cost little, short enough for a live progress bar
# (Progbar redraws at most every 0.05 s).
AUTO_TARGET_SECONDS = 0.05
AUTO_MAX_GROWTH = 4


class Span:
    """Array path: run `count` steps starting at step `first` of data pass `pass_index` (the
    engine gathers the rows; a new pass index means a new shuffled order)."""

    __slots__ = ("pass_index", "first", "count")

    def __init__(self, pass_index, first, count):
        self.pass_index, self.first, self.count = pass_index, first, count

    def __len__(self):
        return self.count


class ExecutionSizer:
    """How many steps the next execution runs: a fixed N, or ("auto") a size grown or shrunk
    from the measured time per step so that one execution takes about AUTO_TARGET_SECONDS."""

    def __init__(self, steps_per_execution):
        self.auto = steps_per_execution == "auto"
        self.size = 1 if self.auto else int(steps_per_execution)
        self._started = None

    def next_size(self):
        return self.size

    def started(self):
        if self.auto:
            self._started = time.perf_counter()

    def finished(self, steps):
        """Called after an execution of `steps` steps (and its callbacks) is done."""
        if not self.auto or self._started is None or steps <= 0:
            return
        per_step = max(time.perf_counter() - self._started, 1e-7) / steps
        want = int(AUTO_TARGET_SECONDS / per_step)
        self.size = max(1, min(want, steps * AUTO_MAX_GROWTH))
        self._started = None


class EpochIterator:
    """Executions of one epoch at a time over a data adapter.

    `num_batches` is the number of batches in one pass over the data when known (array data:
    from the rows and batch size; PyDataset: its length; generators: learned when they first
    run out). Keras's rules for `steps_per_epoch`:
    - None: every epoch is one whole, fresh pass;
    - N > 0: epochs take N steps and a pass carries over to the next epoch; a finite input
      that runs out ends the epoch early (with a warning) and the next epoch starts a new pass;
    - -1: run until the input runs out (forever for an endless generator).
    """

    def __init__(self, adapter, steps_per_epoch=None, steps_per_execution=1, num_batches=None, is_array=False):
        if steps_per_epoch is not None:
            if isinstance(steps_per_epoch, bool) or int(steps_per_epoch) != steps_per_epoch or (
                    steps_per_epoch <= 0 and steps_per_epoch != -1):
                raise ValueError(
                    f"`steps_per_epoch` (or `steps`) must be a positive integer, -1 or None. Received: {steps_per_epoch}")
            steps_per_epoch = int(steps_per_epoch)
        self.adapter = adapter
        self.steps_per_epoch = steps_per_epoch
        self.is_array = is_array
        self._num_batches = num_batches
        self.sizer = ExecutionSizer(steps_per_execution)
        self._pass_index = -1
        self._source = None  # the running pass: an iterator of batches, or True on the array path
        self._seen = 0  # steps taken from the running pass
        self._step = 0  # steps taken in this epoch
        self.total_steps = 0  # steps taken in all epochs (0 after the first: the input was empty)
        self._exhausted = False

    @property
    def num_batches(self):
        """Steps per epoch for display (progress bar target, callback params); None if unknown."""
        if self.steps_per_epoch is not None and self.steps_per_epoch > 0:
            return self.steps_per_epoch
        return self._num_batches

    @property
    def steps_done(self):
        return self._step

    def reset(self):
        """The next epoch starts a new pass (evaluate does this every run, as Keras: validation
        with `validation_steps` always takes the first steps of the data)."""
        self._source = None

    def begin_epoch(self):
        _hook(self.adapter, "on_epoch_begin")
        if self._source is None or not self._limited:
            self._start_pass()
        self._step = 0
        self._exhausted = False

    @property
    def _limited(self):
        return self.steps_per_epoch is not None and self.steps_per_epoch > 0

    def _start_pass(self):
        self._pass_index += 1
        self._seen = 0
        self._source = True if self.is_array else iter(self.adapter.get_numpy_iterator())

    def next_execution(self):
        """(begin_step, data) for the next execution, or None when the epoch is over. `data` is
        a Span (array path) or a list of (x, y, sample_weight) batches."""
        self.sizer.finished(getattr(self, "_last_count", 0))
        self._last_count = 0
        if self._exhausted:
            return None
        limit = self.steps_per_epoch if self._limited else None
        if limit is not None and self._step >= limit:
            return None
        known = self._num_batches
        if known is not None and self._seen >= known:
            self._ran_out()
            return None
        n = self.sizer.next_size()
        if limit is not None:
            n = min(n, limit - self._step)
        if known is not None:
            n = min(n, known - self._seen)
        if self.is_array:
            data = Span(self._pass_index, self._seen, n)
        else:
            data = []
            for _ in range(n):
                try:
                    data.append(next(self._source))
                except StopIteration:
                    self._exhausted = True
                    if self._num_batches is None:
                        # Running out is how an input of unknown size shows its size.
                        self._num_batches = self._seen + len(data)
                    self._ran_out()
                    break
            if not data:
                return None
        begin = self._step
        self._step += len(data)
        self._seen += len(data)
        self.total_steps += len(data)
        self._last_count = len(data)
        self.sizer.started()
        return begin, data

    def _ran_out(self):
        if self.steps_per_epoch is not None:
            warnings.warn(
                "Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
                "generate at least `steps_per_epoch * epochs` batches.",
                stacklevel=3,
            )
        self._source = None

    def end_epoch(self):
        self.sizer.finished(getattr(self, "_last_count", 0))
        self._last_count = 0
        if self._num_batches is not None and self._seen >= self._num_batches:
            self._source = None  # the pass is over: the next epoch starts a new one
        if not self._limited:
            self._source = None
        _hook(self.adapter, "on_epoch_end")


def _hook(adapter, name):
    # Adapters that predate the DataAdapter interface have no epoch hooks.
    fn = getattr(adapter, name, None)
    if fn is not None:
        fn()
