"""The fused optimizer update on the GPU vs the CPU kernel the engine runs, through
`_cuda.fused_update` (device=-1: pkc::apply_update per span; device=0: one CUDA launch). Both
instantiate the same rule functors (csrc/ops/optimizer_rules.h), so every rule must agree to
1e-5 over a few steps. The harness itself is checked on the CPU when `_cuda` is built.
"""

import importlib
import math

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")

N = 1000
SPANS = [{"offset": 0, "n": 300}, {"offset": 300, "n": 700}]


def _adam_family(t, b1=0.9, b2=0.999, lr=0.01):
    return {"lr": lr, "beta_1": b1, "beta_2": b2, "epsilon": 1e-7,
            "alpha": lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t), "beta_1_power": b1 ** t, "beta_2_power": b2 ** t}


def _nadam(t, b1=0.9, b2=0.999, lr=0.01):
    u = lambda s: b1 * (1 - 0.5 * 0.96 ** s)  # noqa: E731
    prod = np.prod([u(s) for s in range(1, t + 1)])
    return {"lr": lr, "beta_1": b1, "beta_2": b2, "epsilon": 1e-7, "u_t": u(t), "u_t_1": u(t + 1),
            "u_product_t": prod, "u_product_t_1": prod * u(t + 1), "beta_2_power": b2 ** t}


# rule -> (scalars for step t, number of slots, initial slot value)
CASES = {
    "sgd": (lambda t: {"lr": 0.01}, 0, 0.0),
    "sgd_momentum": (lambda t: {"lr": 0.01, "momentum": 0.9}, 1, 0.0),
    "sgd_nesterov": (lambda t: {"lr": 0.01, "momentum": 0.9, "nesterov": True}, 1, 0.0),
    "rmsprop": (lambda t: {"lr": 0.01, "rho": 0.9, "epsilon": 1e-7}, 1, 0.0),
    "rmsprop_centered_momentum": (lambda t: {"lr": 0.01, "rho": 0.9, "epsilon": 1e-7, "momentum": 0.5}, 3, 0.0),
    "adam": (_adam_family, 2, 0.0),
    "adam_amsgrad": (_adam_family, 3, 0.0),
    "adagrad": (lambda t: {"lr": 0.01, "epsilon": 1e-7}, 1, 0.1),
    "adadelta": (lambda t: {"lr": 1.0, "rho": 0.95, "epsilon": 1e-7}, 2, 0.0),
    "adamax": (_adam_family, 2, 0.0),
    "nadam": (_nadam, 2, 0.0),
    "ftrl": (lambda t: {"lr": 0.05, "lr_power": -0.5, "l1": 0.01, "l2": 0.02, "l2_shrinkage": 0.01}, 2, 0.1),
    "lion": (lambda t: {"lr": 0.001, "beta_1": 0.9, "beta_2": 0.99}, 1, 0.0),
}


def rule_of(case):
    return case.split("_")[0] if not case.startswith("sgd") else "sgd"


def initial_state(case, seed=0):
    _, nslots, init = CASES[case]
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(N).astype(np.float32)
    slots = [np.full(N, init, np.float32) for _ in range(nslots)]
    if case == "rmsprop":
        slots = [slots[0], None, None]
    return p, slots


def run_steps(mod, case, device, steps=3, spans=SPANS, with_acc=False, with_ema=False):
    scalars_of = CASES[case][0]
    p, slots = initial_state(case)
    acc = np.full(N, 0.05, np.float32) if with_acc else None
    ema = p.copy() if with_ema else None
    for t in range(1, steps + 1):
        g = np.random.default_rng(100 + t).standard_normal(N).astype(np.float32)
        out = mod.fused_update(rule_of(case), scalars_of(t), p, g, slots, spans, accumulators=acc, ema=ema,
                               device=device)
        p, acc, ema = out["params"], out["accumulators"], out["ema"]
        slots = [s for s in out["slots"]][: max(len(slots), 0)]
    return p, slots, acc, ema


# --- the harness, on the CPU ------------------------------------------------------------------


def test_cpu_sgd_matches_the_formula(built):
    p = np.linspace(-1, 1, 8, dtype=np.float32)
    g = np.ones(8, np.float32)
    out = built.fused_update("sgd", {"lr": 0.5}, p, g, [], [{"offset": 0, "n": 8}], device=-1)
    np.testing.assert_array_equal(out["params"], p - np.float32(0.5))
    np.testing.assert_array_equal(p, np.linspace(-1, 1, 8, dtype=np.float32))  # input untouched


def test_cpu_only_the_spans_are_updated(built):
    p, g = np.zeros(6, np.float32), np.ones(6, np.float32)
    out = built.fused_update("sgd", {"lr": 1.0}, p, g, [], [{"offset": 2, "n": 3}], device=-1)
    np.testing.assert_array_equal(out["params"], [0, 0, -1, -1, -1, 0])


def test_cpu_prologue_clip_decay_and_ema(built):
    p, g = np.full(4, 2.0, np.float32), np.array([10, -10, 0.5, 0], np.float32)
    span = {"offset": 0, "n": 4, "grad_scale": 0.5, "clip_value": 1.0, "decay": 0.1, "use_ema": True,
            "ema_momentum": 0.5}
    out = built.fused_update("sgd", {"lr": 1.0}, p, g, [], [span], ema=np.zeros(4, np.float32), device=-1)
    expect = np.float32(1.8) - np.clip(g * np.float32(0.5), -1, 1)
    np.testing.assert_allclose(out["params"], expect, rtol=1e-6)
    np.testing.assert_allclose(out["ema"], 0.5 * expect, rtol=1e-6)


def test_rejects_a_span_outside_the_buffers(built):
    with pytest.raises(ValueError, match=r"span 0 \[2, 9\) is outside params of 6"):
        built.fused_update("sgd", {"lr": 1.0}, np.zeros(6), np.zeros(6), [], [{"offset": 2, "n": 7}], device=-1)


def test_rejects_missing_slots_and_unknown_rules(built):
    with pytest.raises(ValueError, match="rule 'adam' needs slot 0"):
        built.fused_update("adam", {"lr": 1.0}, np.zeros(3), np.zeros(3), [], [{"offset": 0, "n": 3}], device=-1)
    with pytest.raises(ValueError, match="unknown rule 'adamw'"):
        built.fused_update("adamw", {}, np.zeros(3), np.zeros(3), [], [], device=-1)
    with pytest.raises(ValueError, match="unknown scalar 'learning_rate'"):
        built.fused_update("sgd", {"learning_rate": 1.0}, np.zeros(3), np.zeros(3), [], [], device=-1)


def test_rejects_mismatched_buffer_sizes(built):
    with pytest.raises(ValueError, match="grads has 2 elements but params has 3"):
        built.fused_update("sgd", {"lr": 1.0}, np.zeros(3), np.zeros(2), [], [], device=-1)


# --- GPU ---------------------------------------------------------------------------------------


def assert_states_close(cpu, gpu):
    for c, g in zip(cpu, gpu):
        if isinstance(c, list):
            assert_states_close(c, g)
        elif c is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-5)


@pytest.mark.cuda
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_rule_matches_the_cpu(cuda, case):
    assert_states_close(run_steps(cuda, case, -1), run_steps(cuda, case, 0))


@pytest.mark.cuda
@pytest.mark.parametrize("case", ["adam", "sgd_momentum", "ftrl"])
def test_prologue_and_epilogue_match_the_cpu(cuda, case):
    spans = [{"offset": 0, "n": 400, "grad_scale": 0.5, "clip_value": 0.3, "decay": 0.01, "use_acc": True,
              "acc_scale": 0.5, "use_ema": True, "ema_momentum": 0.9},
             {"offset": 400, "n": 600, "clip_scale": 0.7, "use_ema": True, "ema_momentum": 0.99, "ema_overwrite": True}]
    cpu = run_steps(cuda, case, -1, spans=spans, with_acc=True, with_ema=True)
    gpu = run_steps(cuda, case, 0, spans=spans, with_acc=True, with_ema=True)
    assert_states_close(cpu, gpu)


@pytest.mark.cuda
def test_many_spans_of_uneven_sizes(cuda):
    sizes = [1, 255, 256, 257, 3, 228]
    offsets = np.cumsum([0] + sizes[:-1]).tolist()
    spans = [{"offset": o, "n": n} for o, n in zip(offsets, sizes)]
    assert_states_close(run_steps(cuda, "adam", -1, spans=spans), run_steps(cuda, "adam", 0, spans=spans))
