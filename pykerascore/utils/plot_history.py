"""plot_history: a PNG of a fit() History, one subplot per metric (loss first) with the training
and `val_` series on the same axes against the epoch. matplotlib is an optional dependency,
imported only here and only when called; this module never changes global matplotlib state."""


def plot_history(history, filepath, metrics=None, figsize=None, dpi=100, title=None):
    """Draws `history` (a History callback, or its `.history` dict) and saves it to `filepath`.

    metrics: names to draw (without the `val_` prefix); by default loss and every metric in
    the history, in its order. figsize: (width, height) in inches; by default 4 x 3 per subplot
    in one row. Returns filepath."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(f"`history` must be a History object or a non-empty dict of per-epoch lists. "
                         f"Received: {history!r:.200}")
    names = list(metrics) if metrics is not None else [k for k in logs if not k.startswith("val_")]
    unknown = [n for n in names if n not in logs and "val_" + n not in logs]
    if unknown or not names:
        raise ValueError(f"No series for metric(s) {unknown or names} in the history; it has {list(logs)}.")
    Figure, MaxNLocator = _matplotlib()
    figsize = figsize or (4.0 * len(names), 3.0)
    # A standalone Figure (not pyplot): no window, no global figure registry, no backend switch.
    fig = Figure(figsize=figsize, dpi=dpi)
    axes = fig.subplots(1, len(names), squeeze=False)
    for ax, name in zip(axes[0], names):
        for key, label in ((name, "train"), ("val_" + name, "validation")):
            if key in logs:
                values = list(logs[key])
                ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(filepath, format="png", dpi=dpi)
    return filepath


def _matplotlib():
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as e:
        raise ImportError("plot_history requires matplotlib. Install it with `pip install matplotlib`.") from e
    return Figure, MaxNLocator
