"""Benchmark pykerascore against real Keras 3 on the same workloads, in one run.

Each (framework, workload, repetition) runs in a fresh subprocess (worker.py): Keras picks its
backend at import, and a fresh process makes "first epoch" a true cold start. Repetitions
alternate pykerascore, keras-<backend>, pykerascore, ... so load drifting on a shared machine
hits both alike; the table gives medians. This script only orchestrates: it sets the thread
environment, runs workers, and hands their JSON to report.py. It never imports a framework.

    python bench/python/compare.py                      # all workloads, keras-jax, 1 thread
    python bench/python/compare.py --quick              # N / 8, fewer *_on_batch calls
    python bench/python/compare.py --threads 2 --backends jax,torch --workloads tiny,mlp
    python bench/python/compare.py --check              # exit 1 if a ratio misses TARGETS
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

BACKEND_MODULES = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}
README = os.path.join(os.path.dirname(HERE), "README.md")
BEGIN, END = "<!-- bench/python results: begin -->", "<!-- bench/python results: end -->"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, choices=[1, 2], default=1)
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


def run_worker(args, framework, backend, workload, weights, env):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), "--framework", framework, "--backend", backend,
           "--workload", workload, "--threads", str(args.threads), "--weights", weights, "--out", out]
    if args.quick:
        cmd.append("--quick")
    try:
        proc = subprocess.run(cmd, env=env, preexec_fn=pin(args.threads), capture_output=True, text=True,
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
    return {"info": {}, "measures": {m: {"error": why[:120]} for m in WORKLOADS[workload].measures}}


def run_all(args, backends):
    frameworks = ["pykerascore"] + [f"keras-{b}" for b in backends]
    env = thread_env(args.threads)
    results, info = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for wl in args.workloads:
            weights = os.path.join(tmp, f"{wl}.npz")  # written by the first pykerascore run
            results[wl] = {fw: [] for fw in frameworks}
            for rep in range(args.repeats):
                for fw in frameworks:  # alternate: pk, keras-jax, ..., pk, keras-jax, ...
                    framework, _, backend = fw.partition("-")
                    start = time.perf_counter()
                    res = run_worker(args, framework, backend or "jax", wl, weights, env)
                    print(f"[{wl} {rep + 1}/{args.repeats}] {fw:<17} {time.perf_counter() - start:6.1f} s",
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


def markdown_section(args, text_table, versions, skipped, loads, failures, own_init):
    cmd = "python bench/python/compare.py" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    vers = sorted({f"{k} {v}" for fw in versions.values() for k, v in fw.items()})
    lines = [
        f"Measured {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}; "
        f"load average {loads[0]:.1f} at start, {loads[1]:.1f} at end.",
        "",
        f"Command: `{cmd}` ({args.threads} thread{'s' if args.threads > 1 else ''}, "
        f"medians of {args.repeats} alternating repetitions{', quick sizes (N / 8)' if args.quick else ''}).",
        "",
        "Versions: " + ", ".join(vers) + ".",
        "",
        text_table,
    ]
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped) + "."]
    if own_init:
        lines += ["", "Started from Keras's own initial weights: " + ", ".join(own_init) + "."]
    if args.check:
        lines += ["", "--check: " + ("all targets met." if not failures else f"{len(failures)} targets missed.")]
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


def main(argv=None):
    args = parse_args(argv)
    backends, skipped = available_backends(args.backends)
    for note in skipped:
        print("skipped " + note, file=sys.stderr)
    load_start = os.getloadavg()[0]
    frameworks, results, versions = run_all(args, backends)
    rows = report.build_rows(results, args.workloads, frameworks)
    header, lines = report.table(rows, frameworks)
    print(report.plain(header, lines))
    failures = report.check(rows, frameworks, FIT_TARGETS, MEASURE_TARGETS, FIRST_EPOCH_MAX_S) if args.check else []
    if not args.no_readme:
        section = markdown_section(args, report.markdown(header, lines), versions, skipped,
                                   (load_start, os.getloadavg()[0]), failures, own_init_notes(results))
        write_readme(args.readme, section)
        print(f"\nwrote {os.path.relpath(args.readme)}", file=sys.stderr)
    if args.check:
        print("\n--check: " + ("all targets met" if not failures else "targets missed:"))
        for f in failures:
            print("  " + f)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
