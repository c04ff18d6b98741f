"""Learning-rate schedules: Keras 3 formulas written in NumPy vs `schedule(step)` at many
steps, vs the learning rate the native optimizer uses at each step (also inside fit), the
Keras rules for setting `learning_rate` when a schedule is set, and config round trips."""

import math

import numpy as np
import pytest
from test_rules_vs_numpy import KerasReference, drive

import pykerascore as keras
from pykerascore.optimizers import schedules

STEPS = np.arange(0, 120)


def _exponential(step, lr0, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr0 * rate ** (math.floor(p) if staircase else p)


def _inverse_time(step, lr0, decay_steps, rate, staircase=False):
    p = step / decay_steps
    return lr0 / (1 + rate * (math.floor(p) if staircase else p))


def _piecewise(step, boundaries, values):
    for b, v in zip(boundaries, values):
        if step <= b:
            return v
    return values[-1]


def _polynomial(step, lr0, decay_steps, end=1e-4, power=1.0, cycle=False):
    if cycle:
        decay_steps = decay_steps * (1 if step == 0 else math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (lr0 - end) * (1 - step / decay_steps) ** power + end


def _cosine(step, lr0, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(s, start):
        return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)

    if warmup_target is None:
        return decay(min(step, decay_steps), lr0)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return lr0 + (warmup_target - lr0) * step / warmup_steps
    return decay(step - warmup_steps, warmup_target)


def _restarts(step, lr0, first, t_mul=2.0, m_mul=1.0, alpha=0.0):
    # walk the periods: first, first*t_mul, ... (each restart scaled by m_mul)
    period, start, i = float(first), 0.0, 0
    while step >= start + period:
        start += period
        period *= t_mul
        i += 1
    frac = (step - start) / period
    return lr0 * ((1 - alpha) * 0.5 * m_mul**i * (1 + math.cos(math.pi * frac)) + alpha)


CASES = [
    (schedules.ExponentialDecay(0.1, 10, 0.5), lambda s: _exponential(s, 0.1, 10, 0.5)),
    (schedules.ExponentialDecay(0.1, 7, 0.9, staircase=True), lambda s: _exponential(s, 0.1, 7, 0.9, True)),
    (schedules.InverseTimeDecay(0.2, 5, 0.5), lambda s: _inverse_time(s, 0.2, 5, 0.5)),
    (schedules.InverseTimeDecay(0.2, 5, 0.5, staircase=True), lambda s: _inverse_time(s, 0.2, 5, 0.5, True)),
    (schedules.PiecewiseConstantDecay([10, 30, 50], [1.0, 0.5, 0.1, 0.01]),
     lambda s: _piecewise(s, [10, 30, 50], [1.0, 0.5, 0.1, 0.01])),
    (schedules.PolynomialDecay(0.1, 50), lambda s: _polynomial(s, 0.1, 50)),
    (schedules.PolynomialDecay(0.1, 30, end_learning_rate=0.01, power=2.0, cycle=True),
     lambda s: _polynomial(s, 0.1, 30, 0.01, 2.0, True)),
    (schedules.CosineDecay(0.1, 60), lambda s: _cosine(s, 0.1, 60)),
    (schedules.CosineDecay(0.1, 60, alpha=0.2), lambda s: _cosine(s, 0.1, 60, 0.2)),
    (schedules.CosineDecay(0.0, 50, warmup_target=0.2, warmup_steps=20),
     lambda s: _cosine(s, 0.0, 50, 0.0, 0.2, 20)),
    (schedules.CosineDecayRestarts(0.1, 10), lambda s: _restarts(s, 0.1, 10)),
    (schedules.CosineDecayRestarts(0.1, 8, t_mul=1.0, m_mul=0.5, alpha=0.1),
     lambda s: _restarts(s, 0.1, 8, 1.0, 0.5, 0.1)),
    (schedules.CosineDecayRestarts(0.1, 5, t_mul=1.5, m_mul=0.8), lambda s: _restarts(s, 0.1, 5, 1.5, 0.8)),
]
IDS = [f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("schedule,formula", CASES, ids=IDS)
def test_schedule_call_matches_formula(schedule, formula):
    got = np.array([schedule(int(s)) for s in STEPS])
    want = np.array([formula(int(s)) for s in STEPS])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_schedule_call_on_array_of_steps():
    s = schedules.ExponentialDecay(0.1, 10, 0.5)
    np.testing.assert_allclose(s(np.array([0, 10, 20])), [0.1, 0.05, 0.025], rtol=1e-6)


@pytest.mark.parametrize("schedule,formula", CASES[::2], ids=IDS[::2])
def test_optimizer_uses_schedule_at_each_step(schedule, formula):
    opt = keras.optimizers.SGD(learning_rate=schedule, momentum=0.5)
    drive(opt, KerasReference("sgd", {"momentum": 0.5, "nesterov": False}, lr=formula), steps=25,
          check_every_step=False)
    assert opt.learning_rate == pytest.approx(formula(25), rel=1e-5, abs=1e-8)


def test_schedule_uses_raw_iterations_with_accumulation():
    formula = CASES[0][1]
    opt = keras.optimizers.Adam(learning_rate=CASES[0][0], gradient_accumulation_steps=2)
    hyper = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}
    drive(opt, KerasReference("adam", hyper, lr=formula, gradient_accumulation_steps=2), steps=8)


def test_schedule_inside_fit():
    schedule = schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01])
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-1.0], [2.0]])).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    w0, b0 = [w.astype("float64") for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)  # 8 steps
    w, b = w0, b0
    for step in range(8):
        xb, yb = x[step % 4 * 8:(step % 4 + 1) * 8].astype("float64"), y[step % 4 * 8:(step % 4 + 1) * 8]
        d = 2 * (xb @ w + b - yb) / len(xb)
        lr = _piecewise(step, [1, 3], [0.1, 0.05, 0.01])
        w, b = w - lr * xb.T @ d, b - lr * d.sum(0)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)
    assert model.optimizer.learning_rate == pytest.approx(0.01)


def test_learning_rate_not_settable_to_float_with_schedule():
    opt = keras.optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01


def test_learning_rate_can_be_replaced_by_a_schedule():
    opt = keras.optimizers.Adam(learning_rate=0.01)
    opt.learning_rate = schedules.ExponentialDecay(0.5, 10, 0.5)
    assert opt.learning_rate == pytest.approx(0.5)


def test_custom_python_schedule_is_refused():
    class Mine(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1

    with pytest.raises(ValueError, match="native training loop"):
        keras.optimizers.SGD(learning_rate=Mine())


@pytest.mark.parametrize("schedule", [c[0] for c in CASES], ids=IDS)
def test_schedule_config_round_trip(schedule):
    again = schedules.deserialize(schedules.serialize(schedule))
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert again(17) == pytest.approx(schedule(17))


def test_schedule_argument_checks():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="first_decay_steps"):
        schedules.CosineDecayRestarts(0.1, 0)


def test_optimizer_config_serializes_schedule():
    opt = keras.optimizers.SGD(learning_rate=schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=5))
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    again = keras.optimizers.SGD.from_config(config)
    assert isinstance(again._schedule, schedules.CosineDecay)
    assert again.learning_rate == pytest.approx(0.1)
