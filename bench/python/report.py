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
    "final_loss": ("final loss (epoch 2, shuffled)", "value", "{:.4f}"),
    "loss_match": ("loss, 1 unshuffled epoch, same weights", "value", "{:.5f}"),
    "fit_gflops": ("fit GFLOP/s (GEMM FLOPs counted truly)", "rate", "{:,.1f}"),
    "sgemm": ("sgemm-only GFLOP/s, same GEMMs", "absolute", "{:,.1f}"),
    "sgemm_fraction": ("fit GFLOP/s / sgemm-only", "rate", "{:.0%}"),
    "eval_gflops": ("evaluate GFLOP/s (forward GEMMs)", "rate", "{:,.1f}"),
    "sgemm_forward": ("sgemm-only GFLOP/s, forward GEMMs", "absolute", "{:,.1f}"),
    "eval_sgemm_fraction": ("evaluate GFLOP/s / sgemm-only forward", "rate", "{:.0%}"),
    "peak_rss": ("peak RSS during fit, MB", "time", "{:,.0f}"),
    "rss_budget": ("RSS budget 1.2·(data+params+slots)+60, MB", "absolute", "{:,.0f}"),
    "rss_growth": ("RSS growth over 100 fit+predict calls, %", "absolute", "{:+.2f}"),
}
LOSS_TOLERANCE = 0.05  # epoch 2 after shuffling: shuffling orders differ, "train alike" within a few %
LOSS_MATCH_TOLERANCE = 0.01  # same batches in the same order from the same weights
DERIVED = "-"  # a cell that does not apply to this framework


def median_cell(runs, measure):
    """(median or None, reason, number of successful repeats) over the repetitions of one framework."""
    values = [r["measures"][measure]["value"] for r in runs if "value" in r["measures"].get(measure, {})]
    if values:
        return statistics.median(values), None, len(values)
    errors = [r["measures"].get(measure, {}).get("error") for r in runs]
    return None, next((e for e in errors if e), "not run"), 0


def ratio(measure, pk, other):
    if pk is None or other is None or pk == 0 or other == 0 or MEASURES[measure][1] == "absolute":
        return None
    return other / pk if MEASURES[measure][1] == "time" else pk / other


def build_rows(results, workloads, frameworks, flops_per_sample=None):
    """results[workload][framework] = list of worker outputs -> list of row dicts.
    `flops_per_sample[workload]` = (training, forward) GEMM FLOPs per sample adds the fit and
    evaluate GFLOP/s rows and, where the "sgemm" pseudo-framework ran, the sgemm-only figures
    on the same GEMMs and each framework's fraction of them."""
    rows = []
    for wl in workloads:
        by_fw = results[wl]
        measures = [m for m in MEASURES if any(m in r["measures"] for fw in frameworks for r in by_fw.get(fw, []))]
        for m in measures:
            cells = {fw: median_cell(by_fw.get(fw, []), m) for fw in frameworks}
            if m == "rss_budget":  # computed from pykerascore's arrays; the same bound for all
                cells = {fw: cells[fw] if fw == "pykerascore" else (None, DERIVED, 0) for fw in frameworks}
            rows.append(_row(wl, m, cells, frameworks))
        train_flops, forward_flops = (flops_per_sample or {}).get(wl, (None, None))
        if train_flops:
            rows += _gemm_rows(wl, by_fw, frameworks, "fit", train_flops, "fit_gflops", "sgemm", "sgemm_fraction")
            rows += _gemm_rows(wl, by_fw, frameworks, "evaluate", forward_flops, "eval_gflops", "sgemm_forward",
                               "eval_sgemm_fraction")
    return rows


def _gemm_rows(wl, by_fw, frameworks, measure, flops, rate_row, sgemm_row, fraction_row):
    """GFLOP/s of `measure` per framework, the sgemm-only figure on the same GEMMs (measured in
    this run by the "sgemm" pseudo-framework) and each framework's fraction of it."""
    rates = {fw: median_cell(by_fw.get(fw, []), measure) for fw in frameworks}
    if not any(c[0] for c in rates.values()):
        return []
    gf = {fw: (c[0] * flops / 1e9 if c[0] else None, c[1], c[2]) for fw, c in rates.items()}
    rows = [_row(wl, rate_row, gf, frameworks)]
    if "sgemm" in by_fw:
        sg = median_cell(by_fw["sgemm"], sgemm_row)
        rows.append(_row(wl, sgemm_row, {fw: sg if fw == "pykerascore" else (None, DERIVED, 0) for fw in frameworks},
                         frameworks))
        frac = {fw: (g[0] / sg[0] if g[0] and sg[0] else None, g[1] or sg[1], 0) for fw, g in gf.items()}
        rows.append(_row(wl, fraction_row, frac, frameworks))
    return rows


def _row(wl, m, cells, frameworks):
    pk = cells["pykerascore"][0]
    return {"workload": wl, "measure": m, "cells": cells,
            "ratios": {fw: ratio(m, pk, cells[fw][0]) for fw in frameworks[1:]}}


def fmt_cell(measure, cell):
    value, why, _ = cell
    if value is None and why == DERIVED:
        return "–"
    return MEASURES[measure][2].format(value) if value is not None else f"n/a ({why})"


def fmt_ratio(measure, r):
    if r is None:
        return "–"
    text = f"{r:.2f}×"
    if measure == "final_loss":
        text = f"{r:.3f} ({'ok' if abs(r - 1) <= LOSS_TOLERANCE else 'differs'})"
    elif measure == "loss_match":
        text = f"{r:.4f} ({'within 1 %' if abs(r - 1) <= LOSS_MATCH_TOLERANCE else 'DIFFERS'})"
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


def check(rows, frameworks, targets):
    """List of failure strings, each naming the workload, measure, framework and target.
    `targets`: fit (per workload), measure (ratio per measure), first_epoch_max_s,
    sgemm_fraction (per workload), rss_growth_max_percent. A measure pykerascore could not run
    counts as missed; one only the Keras side could not run is skipped."""
    failures = []
    by_key = {(r["workload"], r["measure"]): r for r in rows}
    pk_value = lambda row: row["cells"]["pykerascore"][0]  # noqa: E731
    for row in rows:
        wl, m = row["workload"], row["measure"]
        pk = pk_value(row)
        if m == "first_epoch":
            if pk is None or pk > targets["first_epoch_max_s"]:
                failures.append(f"{wl} first epoch: {fmt_cell(m, row['cells']['pykerascore'])} s "
                                f"> {targets['first_epoch_max_s']} s")
            continue
        if m == "peak_rss":
            budget = by_key.get((wl, "rss_budget"))
            limit = pk_value(budget) if budget else None
            if pk is None or limit is None or pk > limit:
                failures.append(f"{wl} peak RSS during fit: {fmt_cell(m, row['cells']['pykerascore'])} MB "
                                f"> budget {fmt_cell('rss_budget', budget['cells']['pykerascore']) if budget else 'n/a'} MB")
            continue
        if m == "rss_growth":
            if pk is None or pk >= targets["rss_growth_max_percent"]:
                failures.append(f"{wl} RSS growth over 100 fit+predict calls: "
                                f"{fmt_cell(m, row['cells']['pykerascore'])} % >= {targets['rss_growth_max_percent']} %")
            continue
        if m == "sgemm_fraction":
            want = targets["sgemm_fraction"].get(wl)
            if want is not None and (pk is None or pk < want):
                failures.append(f"{wl} fit GFLOP/s: {fmt_cell(m, row['cells']['pykerascore'])} of sgemm-only "
                                f"< target {want:.0%}")
            continue
        if m == "loss_match":
            for fw in frameworks[1:]:
                r = row["ratios"][fw]
                if row["cells"][fw][0] is None and pk is not None:
                    continue
                if r is None or abs(r - 1) > LOSS_MATCH_TOLERANCE:
                    failures.append(f"{wl} loss after 1 unshuffled epoch vs {fw}: "
                                    f"{fmt_cell(m, row['cells']['pykerascore'])} vs {fmt_cell(m, row['cells'][fw])}, "
                                    "not within 1 %")
            continue
        target = targets["measure"].get(m, targets["fit"].get(wl) if m in ("fit", "evaluate", "predict") else None)
        if target is None:
            continue
        if len(frameworks) < 2:
            failures.append(f"{wl} {m}: no Keras backend ran, ratio target {target} unchecked")
        fit_row = by_key.get((wl, "fit"))
        for fw in frameworks[1:]:
            r = row["ratios"][fw]
            if row["cells"][fw][0] is None and pk is not None:
                continue  # Keras itself cannot run it (e.g. torch with steps_per_execution > 1)
            if r is None or r < target:
                got = fmt_ratio(m, r) if r is not None else "n/a"
                failures.append(f"{wl} {m} vs {fw}: {got} < target {target}×")
                continue
            fit_r = fit_row["ratios"][fw] if fit_row and m in ("evaluate", "predict") else None
            if fit_r is not None and r < fit_r:  # the issue: evaluate/predict ratio >= the fit ratio
                failures.append(f"{wl} {m} vs {fw}: {fmt_ratio(m, r)} < the fit ratio {fmt_ratio('fit', fit_r)}")
    return failures
