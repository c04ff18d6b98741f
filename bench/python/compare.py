"""Benchmark pykerascore against real Keras 3 on the same workloads, in one run.

Each (framework, workload, repetition) runs in a fresh subprocess (worker.py): Keras picks its
backend at import, and a fresh process makes "first epoch" a true cold start. Repetitions
alternate pykerascore, keras-<backend>, pykerascore, ... so load drifting on a shared machine
hits both alike; the table gives medians. This script only orchestrates: it sets the thread
environment, runs workers, and hands their JSON to report.py. It never imports a framework.

    python bench/python/compare.py                      # all workloads, keras-jax, 1 thread
    python bench/python/compare.py --quick              # N / 8, fewer *_on_batch calls
    python bench/python/compare.py --threads 1,2 --backends jax,tensorflow,torch --workloads tiny,mlp
    python bench/python/compare.py --check              # exit 1 naming each target missed
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import report  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

# --check targets: "ratio" = how many times better pykerascore must be than each Keras backend.
FIT_TARGETS = {"tiny": 20, "tiny_spe32": 10, "multiio": 10, "mlp": 1.3, "wide": 1.05}  # evaluate/predict too
MEASURE_TARGETS = {"train_on_batch": 30, "predict_on_batch": 10}
FIRST_EPOCH_MAX_S = 0.1  # absolute, pykerascore only
SGEMM_FRACTION = {"mlp": 0.85, "wide": 0.90}  # fit GFLOP/s / sgemm-only GFLOP/s on the same GEMMs
RSS_GROWTH_MAX_PERCENT = 1.0  # 100 consecutive fit+predict calls, after the first

BACKEND_MODULES = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}
README = os.path.join(os.path.dirname(HERE), "README.md")
BEGIN, END = "<!-- bench/python results: begin -->", "<!-- bench/python results: end -->"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", default="1", help="comma list of thread counts, e.g. 1,2 (one table each)")
    p.add_argument("--workloads", default=",".join(WORKLOADS), help="comma list of " + ", ".join(WORKLOADS))
    p.add_argument("--backends", default="jax", help="comma list of Keras backends: jax, torch, tensorflow")
    p.add_argument("--repeats", type=int, default=3, help="repetitions per framework (>= 3; medians reported)")
    p.add_argument("--quick", action="store_true", help="N / 8 and 10x fewer *_on_batch calls")
    p.add_argument("--check", action="store_true", help="exit 1 when a ratio misses its target")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per worker process")
    p.add_argument("--readme", default=README, help="Markdown file whose bench/python results to rewrite")
    p.add_argument("--no-readme", action="store_true", help="print only")
    args = p.parse_args(argv)
    args.workloads = _names(p, args.workloads, WORKLOADS, "workload")
    args.backends = _names(p, args.backends, BACKEND_MODULES, "backend")
    try:
        args.threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        p.error(f"--threads takes a comma list of counts, got {args.threads!r}")
    if not args.threads or any(t < 1 or t > len(os.sched_getaffinity(0)) for t in args.threads):
        p.error(f"--threads: each count must be between 1 and {len(os.sched_getaffinity(0))} (CPUs available)")
    if args.repeats < 3:
        p.error("--repeats must be >= 3 (the table reports medians)")
    return args


def _names(parser, text, known, what):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown {what} {unknown}; choose from {sorted(known)}")
    return names


def available_backends(backends):
    """Keras backends that can run here, plus a note for each skipped one."""
    if importlib.util.find_spec("keras") is None:
        return [], [f"keras-{b}: keras is not installed" for b in backends]
    ok, skipped = [], []
    for b in backends:
        if importlib.util.find_spec(BACKEND_MODULES[b]) is None:
            skipped.append(f"keras-{b}: {BACKEND_MODULES[b]} is not installed")
        else:
            ok.append(b)
    return ok, skipped


def thread_env(threads):
    """The environment every worker gets, so all frameworks use `threads` CPU threads.

    BLAS/OpenMP pools read *_NUM_THREADS at load; XLA's CPU client has no thread-count
    option, so Eigen's intra-op pool is switched off for 1 thread (XLA_FLAGS) and, for any
    count, the worker is pinned to `threads` CPUs (XLA sizes its pools from the affinity mask).
    pykerascore and torch also get set_num_threads(threads) in the worker. JAX is kept on the
    CPU so a GPU machine still compares like with like.
    """
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[var] = str(threads)
    xla = f"--xla_cpu_multi_thread_eigen={'false' if threads == 1 else 'true'} intra_op_parallelism_threads={threads}"
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + xla).strip()
    env.update(JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    return env


def pin(threads):
    cpus = sorted(os.sched_getaffinity(0))[:threads]
    return lambda: os.sched_setaffinity(0, cpus)


def run_worker(args, threads, framework, backend, workload, weights, env):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), "--framework", framework, "--backend", backend,
           "--workload", workload, "--threads", str(threads), "--weights", weights, "--out", out]
    if args.quick:
        cmd.append("--quick")
    if framework == "keras":
        env = dict(env, KERAS_BACKEND=backend)  # each backend in its own process, chosen before import
    try:
        proc = subprocess.run(cmd, env=env, preexec_fn=pin(threads), capture_output=True, text=True,
                              timeout=args.timeout)
        if proc.returncode == 0:
            with open(out) as f:
                return json.load(f)
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        why = f"worker exited {proc.returncode}: {tail}"
    except subprocess.TimeoutExpired:
        why = f"worker timed out after {args.timeout:.0f} s"
    finally:
        os.unlink(out)
    measures = ["sgemm", "sgemm_forward"] if framework == "sgemm" else WORKLOADS[workload].measures
    return {"info": {}, "measures": {m: {"error": why[:120]} for m in measures}}


def run_all(args, backends, threads):
    """results[workload][framework] = per-repetition worker outputs, for one thread count. The
    "sgemm" pseudo-framework (scipy_cblas_sgemm alone on the step's GEMMs) runs in the same
    alternation for workloads with GEMM shapes."""
    frameworks = ["pykerascore"] + [f"keras-{b}" for b in backends]
    env = thread_env(threads)
    results, info = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for wl in args.workloads:
            weights = os.path.join(tmp, f"{wl}.npz")  # written by the first pykerascore run
            runs = frameworks + (["sgemm"] if WORKLOADS[wl].dense_layers else [])
            results[wl] = {fw: [] for fw in runs}
            for rep in range(args.repeats):
                for fw in runs:  # alternate: pk, keras-jax, ..., sgemm, pk, keras-jax, ...
                    framework, _, backend = fw.partition("-")
                    start = time.perf_counter()
                    res = run_worker(args, threads, framework, backend or "jax", wl, weights, env)
                    print(f"[{threads}t {wl} {rep + 1}/{args.repeats}] {fw:<17} {time.perf_counter() - start:6.1f} s",
                          file=sys.stderr, flush=True)
                    results[wl][fw].append(res)
                    info.setdefault(fw, {}).update(res.get("info", {}).get("versions", {}))
    return frameworks, results, info


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = re.search(r"model name\s*:\s*(.*)", f.read()).group(1).strip()
    except (OSError, AttributeError):
        pass
    return f"`{model}`, {os.cpu_count()} CPUs visible, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def own_init_notes(results):
    """Runs that could not start from pykerascore's weights (its build failed), per workload."""
    return sorted({f"{wl} ({fw})" for wl, by_fw in results.items() for fw, runs in by_fw.items()
                   for r in runs if "own initial weights" in r.get("info", {}).get("init", "")})


def with_budget(results):
    """Moves each run's memory budget (info) into its measures, so it becomes a table row."""
    for by_fw in results.values():
        for runs in by_fw.values():
            for r in runs:
                if "rss_budget_mb" in r.get("info", {}):
                    r["measures"]["rss_budget"] = {"value": r["info"]["rss_budget_mb"]}
    return results


def markdown_section(args, tables, versions, skipped, loads, failures, own_init):
    cmd = "python bench/python/compare.py" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    vers = sorted({f"{k} {v}" for fw in versions.values() for k, v in fw.items()})
    threads = ", ".join(str(t) for t in args.threads)
    lines = [
        f"Measured {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}; "
        f"load average {loads[0]:.1f} at start, {loads[1]:.1f} at end.",
        "",
        f"Command: `{cmd}` (threads: {threads}; medians of {args.repeats} alternating repetitions"
        f"{', quick sizes (N / 8)' if args.quick else ''}).",
        "",
        "Versions: " + ", ".join(vers) + ".",
    ]
    for threads, text_table in tables:
        lines += ["", f"**{threads} thread{'s' if threads > 1 else ''}**", "", text_table]
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped) + "."]
    if own_init:
        lines += ["", "Started from Keras's own initial weights: " + ", ".join(own_init) + "."]
    if args.check:
        lines += ["", "--check: " + ("all targets met." if not failures else f"{len(failures)} targets missed:")]
        lines += [f"- {f}" for f in failures]
    return "\n".join(lines)


def write_readme(path, section):
    with open(path) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} has no '{BEGIN}' ... '{END}' markers in its bench/python section")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + section + "\n" + END + tail)


def targets():
    return {"fit": FIT_TARGETS, "measure": MEASURE_TARGETS, "first_epoch_max_s": FIRST_EPOCH_MAX_S,
            "sgemm_fraction": SGEMM_FRACTION, "rss_growth_max_percent": RSS_GROWTH_MAX_PERCENT}


def main(argv=None):
    args = parse_args(argv)
    backends, skipped = available_backends(args.backends)
    for note in skipped:
        print("skipped " + note, file=sys.stderr)
    load_start = os.getloadavg()[0]
    flops = {wl: (WORKLOADS[wl].train_flops_per_sample(), WORKLOADS[wl].forward_flops_per_sample())
             for wl in args.workloads if WORKLOADS[wl].dense_layers}
    tables, failures, versions, own_init = [], [], {}, set()
    for threads in args.threads:
        frameworks, results, vers = run_all(args, backends, threads)
        for fw, v in vers.items():
            versions.setdefault(fw, {}).update(v)
        own_init.update(own_init_notes(results))
        rows = report.build_rows(with_budget(results), args.workloads, frameworks, flops)
        header, lines = report.table(rows, frameworks)
        print(f"\n{threads} thread{'s' if threads > 1 else ''}:\n" + report.plain(header, lines))
        tables.append((threads, report.markdown(header, lines)))
        if args.check:
            failures += [f"[{threads} thread{'s' if threads > 1 else ''}] {f}" for f in report.check(rows, frameworks, targets())]
    if not args.no_readme:
        section = markdown_section(args, tables, versions, skipped, (load_start, os.getloadavg()[0]), failures,
                                   sorted(own_init))
        write_readme(args.readme, section)
        print(f"\nwrote {os.path.relpath(args.readme)}", file=sys.stderr)
    if args.check:
        print("\n--check: " + ("all targets met" if not failures else f"{len(failures)} targets missed:"))
        for f in failures:
            print("  " + f)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
