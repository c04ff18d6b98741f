# Turns per-repetition worker results into medians, ratios, a console/Markdown table and the
# --check verdicts. Pure data in, text out: must not start processes or import a framework.
# A ratio is always "how many times better pykerascore is": pk/keras for rates and values,
# keras/pk for times.

import statistics

# measure -> (label in the table, unit, kind, number format)
MEASURES = {
    "fit": ("fit samples/s (epoch 2)", "rate", "{:,.0f}"),
    "evaluate": ("evaluate samples/s", "rate", "{:,.0f}"),
    "predict": ("predict samples/s", "rate", "{:,.0f}"),
    "train_on_batch": ("train_on_batch µs (median)", "time", "{:,.1f}"),
    "predict_on_batch": ("predict_on_batch µs (median)", "time", "{:,.1f}"),
    "first_epoch": ("first epoch s (build + trace)", "time", "{:.3f}"),
    "final_loss": ("final loss (epoch 2)", "value", "{:.4f}"),
}
LOSS_TOLERANCE = 0.05  # "both train to within a few %"


def median_cell(runs, measure):
    """(median or None, reason, number of successful repeats) over the repetitions of one framework."""
    values = [r["measures"][measure]["value"] for r in runs if "value" in r["measures"].get(measure, {})]
    if values:
        return statistics.median(values), None, len(values)
    errors = [r["measures"].get(measure, {}).get("error") for r in runs]
    return None, next((e for e in errors if e), "not run"), 0


def ratio(measure, pk, other):
    if pk is None or other is None or pk == 0 or other == 0:
        return None
    return other / pk if MEASURES[measure][1] == "time" else pk / other


def build_rows(results, workloads, frameworks):
    """results[workload][framework] = list of worker outputs -> list of row dicts."""
    rows = []
    for wl in workloads:
        measures = [m for m in MEASURES if any(m in r["measures"] for runs in results[wl].values() for r in runs)]
        for m in measures:
            cells = {fw: median_cell(results[wl].get(fw, []), m) for fw in frameworks}
            pk = cells["pykerascore"][0]
            rows.append({"workload": wl, "measure": m, "cells": cells,
                         "ratios": {fw: ratio(m, pk, cells[fw][0]) for fw in frameworks[1:]}})
    return rows


def fmt_cell(measure, cell):
    value, why, _ = cell
    return MEASURES[measure][2].format(value) if value is not None else f"n/a ({why})"


def fmt_ratio(measure, r):
    if r is None:
        return "–"
    text = f"{r:.2f}×"
    if measure == "final_loss":
        text = f"{r:.3f} ({'ok' if abs(r - 1) <= LOSS_TOLERANCE else 'differs'})"
    return text


def table(rows, frameworks):
    header = ["workload", "measure", "pykerascore"]
    for fw in frameworks[1:]:
        header += [fw, f"ratio vs {fw}"]
    lines = []
    for row in rows:
        m = row["measure"]
        line = [row["workload"], MEASURES[m][0], fmt_cell(m, row["cells"]["pykerascore"])]
        for fw in frameworks[1:]:
            line += [fmt_cell(m, row["cells"][fw]), fmt_ratio(m, row["ratios"][fw])]
        lines.append(line)
    return header, lines


def markdown(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "/") for c in line) + " |" for line in lines]
    return "\n".join(out)


def plain(header, lines):
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in lines])


def check(rows, frameworks, fit_targets, measure_targets, first_epoch_max):
    """List of failure strings. A measure pykerascore could not run counts as missed; one only
    the Keras side could not run is skipped."""
    failures = []
    for row in rows:
        wl, m = row["workload"], row["measure"]
        if m == "first_epoch":
            pk = row["cells"]["pykerascore"][0]
            if pk is None or pk > first_epoch_max:
                failures.append(f"{wl} first epoch: {fmt_cell(m, row['cells']['pykerascore'])} s > {first_epoch_max} s")
            continue
        target = measure_targets.get(m, fit_targets.get(wl) if m in ("fit", "evaluate", "predict") else None)
        if target is None:
            continue
        if len(frameworks) < 2:
            failures.append(f"{wl} {m}: no Keras backend ran, ratio target {target} unchecked")
        for fw in frameworks[1:]:
            r = row["ratios"][fw]
            if row["cells"][fw][0] is None and row["cells"]["pykerascore"][0] is not None:
                continue  # Keras itself cannot run it (e.g. torch with steps_per_execution > 1)
            if r is None or r < target:
                got = fmt_ratio(m, r) if r is not None else "n/a"
                failures.append(f"{wl} {m} vs {fw}: {got} < target {target}×")
    return failures
