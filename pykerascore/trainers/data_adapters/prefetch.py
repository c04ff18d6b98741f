"""Background prefetching for batch-yielding adapters, bounded by `max_queue_size`.

- `OrderedFetcher`: fetches `dataset[i]` for a given index order on a thread or process pool,
  handing batches back in that order. At most `max_queue_size` batches are requested ahead of
  the consumer. The pool lives for one pass; `stop()` ends it (processes are terminated).
- `BackgroundIterator`: advances one iterator (a generator) on a single daemon thread, at most
  `max_queue_size` items ahead, forwarding its exceptions; generators are sequential by nature.
Knows nothing of batches' contents or of models.
"""

import collections
import multiprocessing
import multiprocessing.pool
import queue
import threading

# Set in each worker process by the pool initializer: processes get the dataset once, at start.
_WORKER_DATASET = None


def _init_worker(dataset):
    global _WORKER_DATASET
    _WORKER_DATASET = dataset


def _worker_getitem(index):
    return _WORKER_DATASET[index]


def check_parallelism(workers, use_multiprocessing, max_queue_size):
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"`workers` must be a non-negative integer. Received: workers={workers!r}")
    if isinstance(max_queue_size, bool) or not isinstance(max_queue_size, int) or max_queue_size < 1:
        raise ValueError(f"`max_queue_size` must be a positive integer. Received: max_queue_size={max_queue_size!r}")
    return workers > 1 or (workers > 0 and bool(use_multiprocessing))  # Keras 3: when to use a pool


class OrderedFetcher:
    def __init__(self, dataset, workers, use_multiprocessing, max_queue_size):
        self.dataset = dataset
        self.workers = max(1, workers)
        self.use_multiprocessing = bool(use_multiprocessing)
        self.max_queue_size = max_queue_size
        self._pool = None
        self._indices = None
        self._window = collections.deque()

    @property
    def running(self):
        return self._pool is not None

    def start(self, indices):
        """Begins a pass over `indices` (any iterable of ints) and submits the first requests."""
        self.stop()
        if self.use_multiprocessing:
            # The default start method; a fresh pool per pass so workers see what the dataset's
            # on_epoch_end changed (forked/pickled copies do not follow the parent's edits).
            self._pool = multiprocessing.get_context().Pool(self.workers, initializer=_init_worker,
                                                            initargs=(self.dataset,))
            self._fetch = lambda i: self._pool.apply_async(_worker_getitem, (i,))
        else:
            self._pool = multiprocessing.pool.ThreadPool(self.workers)
            getitem = self.dataset.__getitem__
            self._fetch = lambda i: self._pool.apply_async(getitem, (i,))
        self._indices = iter(indices)
        self._fill()

    def _fill(self):
        while len(self._window) < self.max_queue_size:
            i = next(self._indices, None)
            if i is None:
                return
            self._window.append((i, self._fetch(i)))

    def __iter__(self):
        """Yields (index, batch) in order until the pass ends; the pool stops after the last."""
        while self._pool is not None and self._window:
            i, pending = self._window.popleft()
            try:
                batch = pending.get()
            except BaseException:
                self.stop()
                raise
            self._fill()
            yield i, batch
        self.stop()

    def stop(self):
        """Drops outstanding requests and ends the pool: threads finish their current batch and
        exit; processes are terminated. Safe to call repeatedly."""
        pool, self._pool = self._pool, None
        self._window.clear()
        self._indices = None
        if pool is not None:
            pool.terminate()
            pool.join()


_DONE = object()


class BackgroundIterator:
    def __init__(self, iterator, max_queue_size):
        self._it = iterator
        self._queue = queue.Queue()
        # One permit per item the thread may hold ahead of the consumer: a strict bound.
        self._permits = threading.Semaphore(max_queue_size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pykerascore-prefetch", daemon=True)
        self._thread.start()
        self._finished = False

    def _run(self):
        try:
            while not self._stop.is_set():
                if not self._permits.acquire(timeout=0.1):
                    continue
                if self._stop.is_set():
                    return
                try:
                    item = next(self._it)
                except StopIteration:
                    self._queue.put((_DONE, None))
                    return
                self._queue.put((item, None))
        except BaseException as e:  # handed to the consumer, raised there
            self._queue.put((_DONE, e))

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        item, error = self._queue.get()
        if item is _DONE:
            self._finished = True
            if error is not None:
                raise error
            raise StopIteration
        self._permits.release()
        return item

    def close(self, timeout=1.0):
        """Stops the thread once it is between items (a generator stuck inside `next` cannot be
        interrupted; the thread is a daemon, so it never blocks interpreter exit)."""
        self._stop.set()
        self._thread.join(timeout)
