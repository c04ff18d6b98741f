# Progbar: the text progress bar of `keras.utils.Progbar` (verbose=1 live bar, verbose=2 one
# line when finished) and `print_msg`, the single place that writes to sys.stdout.
# Printed output must match Keras 3 byte for byte. Must not import pykerascore.backend or
# anything native: values arrive as Python or NumPy numbers.
import math
import os
import sys
import time

import numpy as np

# Keras 3 draws the bar with this box-drawing character; "=" when stdout cannot encode it.
_BAR_CHAR = "\u2501"
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def print_msg(message, line_break=True):
    """Writes `message` to stdout (plus a newline if `line_break`) and flushes."""
    message = str(message) + ("\n" if line_break else "")
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        message = message.replace(_BAR_CHAR, "=")
        sys.stdout.write(message.encode(encoding, errors="ignore").decode(encoding))
    sys.stdout.flush()


def _stdout_is_dynamic():
    # Same test as Keras. Note "posix" is always in sys.modules on Linux and macOS, so there
    # the bar always redraws in place with "\b"/"\r"; "\n" per update is the Windows,
    # non-terminal case.
    is_tty = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
    return (
        is_tty
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_eta(seconds):
    if seconds > 3600:
        hours, rest = seconds // 3600, seconds % 3600
        return "%d:%02d:%02d" % (hours, rest // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_number(value, signed):
    # verbose=1 compares |value| with 1e-3, Keras's verbose=2 line compares value itself.
    magnitude = abs(value) if signed else value
    return f"{value:.4f}" if magnitude > 1e-3 else f"{value:.4e}"


class Progbar:
    """Displays a progress bar.

    Metrics are averaged over steps before display unless they are stateful: give either
    `stateful_metrics` (names shown as-is; all others averaged) or `stateless_metrics`
    (names averaged; all others shown as-is), not both. With neither, all are averaged.

    Args:
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: 0 (silent), 1 (live progress bar), 2 (one line when finished).
        interval: Minimum time in seconds between two redraws of the bar.
        stateful_metrics: Iterable of metric names displayed as given.
        stateless_metrics: Iterable of metric names averaged over steps.
        unit_name: Display name for a step ("step" or "sample").
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be "
                "provided. `stateful_metrics` lists the metrics shown as-is "
                "(all others are averaged), `stateless_metrics` lists the "
                "metrics to average (all others are shown as-is)."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None
        self.stateless_metrics = None
        if stateless_metrics is not None:
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
        self._dynamic_display = _stdout_is_dynamic()
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight]
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar to step `current`.

        Args:
            current: Index of the current step (1-based count of steps done).
            values: List of `(name, value_for_last_step)` tuples.
            finalize: Whether this is the last update; defaults to
                `current >= self.target` (never, when the target is unknown).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            self._record(name, value, current, finalize)
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self._has_target():
            self._print_summary_line(current, now, time_per_unit)
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _is_averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _record(self, name, value, current, finalize):
        if name not in self._values_order:
            self._values_order.append(name)
        if not self._is_averaged(name) or finalize:
            # Shown as given; a final update replaces any running average too.
            self._values[name] = [value, 1]
            return
        # Each value counts once per step it covers (at least once, so a repeated
        # `current` never yields a zero weight).
        steps = max(current - self._seen_so_far, 1)
        if name in self._values:
            self._values[name][0] += value * steps
            self._values[name][1] += steps
        else:
            self._values[name] = [value * steps, steps]

    def _average(self, name):
        total, count = self._values[name]
        if not isinstance(total, float):
            total = np.mean(total)  # ints, NumPy scalars/arrays and lists
        return total / max(1, count)

    def _has_target(self):
        return self.target is not None and self.target > 0

    def _step_count(self, current):
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _draw_bar(self, current, now, time_per_unit, finalize):
        # `hidden` counts the characters of colour codes, which take no room on screen.
        if self._has_target():
            bar = f"{_BOLD}{self._step_count(current)}{_RESET} "
            hidden = 8
            done = int(self.width * (float(current) / self.target))
            if done > 0:
                bar += f"{_GREEN}{_BAR_CHAR * done}{_RESET}"
                hidden += 9
            bar += f"{_GREY}{_BAR_CHAR * (self.width - done)}{_RESET}"
            hidden += 9
        else:
            bar = "%7d/Unknown" % current
            hidden = 0

        if self._has_target() and not finalize:
            elapsed_or_eta = _format_eta(time_per_unit * (self.target - current))
        else:
            elapsed_or_eta = f"{now - self._start:.0f}s"
        info = f" {_BOLD}{elapsed_or_eta}{_RESET}"
        hidden += 8
        info += self._format_time(time_per_unit, self.unit_name)
        for name in self._values_order:
            info += f" - {name}: {_format_number(self._average(name), signed=True)}"

        if self._dynamic_display:
            message = "\b" * self._prev_total_width + "\r"
        else:
            message = "\n"
        message += bar + info
        total_width = len(bar) + len(info) - hidden
        # Blank out what is left of a longer previous line.
        message += " " * max(self._prev_total_width - total_width, 0)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def _print_summary_line(self, current, now, time_per_unit):
        line = f"{self._step_count(current)} - {now - self._start:.0f}s -"
        line += self._format_time(time_per_unit, self.unit_name)
        for name in self._values_order:
            line += f" - {name}: {_format_number(self._average(name), signed=False)}"
        print_msg(line + "\n", line_break=False)

    def _format_time(self, time_per_unit, unit_name):
        """Returns e.g. " 2s/step", " 15ms/step" or " 840us/step" (leading space)."""
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current, now):
        """Seconds per step so far; the first step (often slow) is left out once past it."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit
