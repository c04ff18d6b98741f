"""Every optimizer rule vs a NumPy (float64) implementation of Keras 3's update, over several
steps, by driving the native optimizer on a ParamPack with chosen gradients. The reference
(`KerasReference`, `drive`) is imported by the other optimizer test files."""

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.backend import core

SHAPES = [(3, 4), (4,), (1,), (17,)]  # odd sizes exercise the pack's padding


class KerasReference:
    """Keras 3 BaseOptimizer.apply + update_step, in float64, for a list of variables."""

    def __init__(self, rule, hyper, lr=0.01, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, decay_mask=None, dynamic_scale=None, growth_steps=2000):
        self.rule, self.h = rule, dict(hyper)
        self.lr = lr if callable(lr) else (lambda step, v=lr: v)
        self.wd, self.clipnorm, self.clipvalue, self.gclip = weight_decay, clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_m, self.ema_freq = use_ema, ema_momentum, ema_overwrite_frequency
        self.lsf, self.acc_steps, self.decay_mask = loss_scale_factor, gradient_accumulation_steps, decay_mask
        self.scale, self.growth, self.counter = dynamic_scale, growth_steps, 0
        self.raw_iterations = 0
        self.slots = None
        self.u_product = 1.0

    @property
    def iterations(self):
        return self.raw_iterations // self.acc_steps if self.acc_steps else self.raw_iterations

    def _build(self, ps):
        z = [np.zeros_like(p) for p in ps]
        init = self.h.get("initial_accumulator_value", 0.0)
        self.slots = {"a": [np.zeros_like(p) for p in ps], "b": [np.zeros_like(p) for p in ps],
                      "c": [np.zeros_like(p) for p in ps], "acc": [np.full_like(p, init) for p in ps],
                      "ga": [np.zeros_like(p) for p in ps], "ema": z}

    def apply(self, ps, gs):
        """Updates the float64 arrays `ps` in place from gradients `gs`."""
        if self.slots is None:
            self._build(ps)
        gs = [np.asarray(g, "float64") for g in gs]
        if self.scale is not None:  # LossScaleOptimizer
            if not all(np.isfinite(g).all() for g in gs):
                self.scale *= 0.5
                self.counter = 0
                return
            gs = [g / self.scale for g in gs]
        elif self.lsf is not None:
            gs = [g / self.lsf for g in gs]
        update = not self.acc_steps or (self.raw_iterations + 1) % self.acc_steps == 0
        if self.acc_steps:
            ga = self.slots["ga"]
            if update:
                gs = [(g + a) / self.acc_steps for g, a in zip(gs, ga)]
                self.slots["ga"] = [np.zeros_like(a) for a in ga]
            else:
                self.slots["ga"] = [g + a for g, a in zip(gs, ga)]
        if update:
            gs = self._clip(gs)
            lr = self.lr(self.raw_iterations)
            if self.wd is not None:
                for i, p in enumerate(ps):
                    if self.decay_mask is None or self.decay_mask[i]:
                        p -= p * self.wd * lr
            if self.rule == "nadam":
                t = self.iterations + 1
                self.u_product *= self.h["beta_1"] * (1.0 - 0.5 * 0.96**t)
            for i, (p, g) in enumerate(zip(ps, gs)):
                self._update(i, p, g, lr)
        if self.use_ema:
            m = self.ema_m if self.iterations != 0 else 0.0
            for p, e in zip(ps, self.slots["ema"]):
                e[...] = m * e + (1 - m) * p
            if self.ema_freq and (self.iterations + 1) % self.ema_freq == 0:
                for p, e in zip(ps, self.slots["ema"]):
                    p[...] = e
        self.raw_iterations += 1
        if self.scale is not None:
            if self.counter == self.growth - 1:
                self.counter, self.scale = 0, self.scale * 2
            else:
                self.counter += 1

    def _clip(self, gs):
        if self.clipnorm:
            return [g * self.clipnorm / max(np.sqrt((g * g).sum()), self.clipnorm) for g in gs]
        if self.gclip:
            norm = np.sqrt(sum((g * g).sum() for g in gs))
            return [g * self.gclip * min(1.0 / norm, 1.0 / self.gclip) for g in gs]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in gs]
        return gs

    def _update(self, i, p, g, lr):
        h, a, b, c = self.h, self.slots["a"][i], self.slots["b"][i], self.slots["c"][i]
        t = self.iterations + 1
        r = self.rule
        if r == "sgd":
            if h["momentum"]:
                a[...] = h["momentum"] * a - lr * g
                p += h["momentum"] * a - lr * g if h["nesterov"] else a
            else:
                p -= lr * g
        elif r == "rmsprop":
            rho = h["rho"]
            a[...] = rho * a + (1 - rho) * g * g
            if h["centered"]:
                c[...] = rho * c + (1 - rho) * g
                denom = a - c * c + h["epsilon"]
            else:
                denom = a + h["epsilon"]
            inc = lr * g / np.sqrt(denom)
            if h["momentum"] > 0:
                b[...] = h["momentum"] * b + inc
                p -= b
            else:
                p -= inc
        elif r in ("adam", "adamw"):
            b1, b2 = h["beta_1"], h["beta_2"]
            alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            a += (g - a) * (1 - b1)
            b += (g * g - b) * (1 - b2)
            v = b
            if h["amsgrad"]:
                c[...] = np.maximum(c, b)
                v = c
            p -= a * alpha / (np.sqrt(v) + h["epsilon"])
        elif r == "adagrad":
            acc = self.slots["acc"][i]
            acc += g * g
            p -= lr * g / np.sqrt(acc + h["epsilon"])
        elif r == "adadelta":
            rho, eps = h["rho"], h["epsilon"]
            a[...] = rho * a + (1 - rho) * g * g
            delta = -np.sqrt(b + eps) * g / np.sqrt(a + eps)
            b[...] = rho * b + (1 - rho) * delta * delta
            p += lr * delta
        elif r == "adamax":
            b1 = h["beta_1"]
            a += (g - a) * (1 - b1)
            b[...] = np.maximum(h["beta_2"] * b, np.abs(g))
            p -= lr * a / ((1 - b1**t) * (b + h["epsilon"]))
        elif r == "nadam":
            b1, b2 = h["beta_1"], h["beta_2"]
            u_t = b1 * (1 - 0.5 * 0.96**t)
            u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
            up_t, up_t1 = self.u_product, self.u_product * u_t1
            a += (g - a) * (1 - b1)
            b += (g * g - b) * (1 - b2)
            m_hat = u_t1 * a / (1 - up_t1) + (1 - u_t) * g / (1 - up_t)
            v_hat = b / (1 - b2**t)
            p -= m_hat * lr / (np.sqrt(v_hat) + h["epsilon"])
        elif r == "ftrl":
            acc, lin = self.slots["acc"][i], a
            power = -h["learning_rate_power"]
            l2 = h["l2_regularization_strength"] + h["beta"] / (2 * lr)
            g_use = g + 2 * h["l2_shrinkage_regularization_strength"] * p
            new_acc = acc + g * g
            lin += g_use - (new_acc**power - acc**power) / lr * p
            quadratic = new_acc**power / lr + 2 * l2
            l1 = h["l1_regularization_strength"]
            p[...] = (np.clip(lin, -l1, l1) - lin) / quadratic
            acc[...] = new_acc
        elif r == "lion":
            b1, b2 = h["beta_1"], h["beta_2"]
            p -= lr * np.sign(a * b1 + g * (1 - b1))
            a[...] = a * b2 + g * (1 - b2)
        else:
            raise AssertionError(r)


def make_pack(seed=0, shapes=SHAPES, names=None):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=s).astype("float32") for s in shapes]
    variables = []
    for i, (s, v) in enumerate(zip(shapes, values)):
        var = core.Variable(names[i] if names else f"v{i}", s)
        var.assign(v)
        variables.append(var)
    return core.ParamPack(variables), variables, [v.astype("float64") for v in values]


def flat_grads(pack, grads):
    flat = np.zeros(pack.size, "float32")
    for i, g in enumerate(grads):
        flat[pack.offset(i):pack.offset(i) + g.size] = np.ravel(g)
    return flat


def drive(optimizer, ref, steps=5, seed=0, grad_fn=None, names=None, check_every_step=True, rtol=1e-5, atol=1e-6):
    """Applies `steps` random gradients to a pack through `optimizer` and to float64 copies
    through `ref`; checks the variables after each step. Returns (variables, reference values)."""
    pack, variables, ref_values = make_pack(seed, names=names)
    rng = np.random.default_rng(seed + 100)
    for step in range(steps):
        grads = grad_fn(step, rng) if grad_fn else [rng.normal(size=s) for s in SHAPES]
        optimizer._native.apply_gradients(pack, flat_grads(pack, grads))
        ref.apply(ref_values, grads)
        if check_every_step or step == steps - 1:
            for var, want in zip(variables, ref_values):
                np.testing.assert_allclose(var.numpy(), want, rtol=rtol, atol=atol, err_msg=f"step {step}")
    return pack, variables, ref_values


RULES = [
    ("sgd", keras.optimizers.SGD, {"momentum": 0.0, "nesterov": False}, {}),
    ("sgd", keras.optimizers.SGD, {"momentum": 0.9, "nesterov": False}, {}),
    ("sgd", keras.optimizers.SGD, {"momentum": 0.8, "nesterov": True}, {}),
    ("rmsprop", keras.optimizers.RMSprop, {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}, {}),
    ("rmsprop", keras.optimizers.RMSprop, {"rho": 0.8, "momentum": 0.5, "epsilon": 1e-6, "centered": False}, {}),
    ("rmsprop", keras.optimizers.RMSprop, {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": True}, {}),
    ("rmsprop", keras.optimizers.RMSprop, {"rho": 0.9, "momentum": 0.3, "epsilon": 1e-7, "centered": True}, {}),
    ("adam", keras.optimizers.Adam, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}, {}),
    ("adam", keras.optimizers.Adam, {"beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-7, "amsgrad": True}, {}),
    ("adamw", keras.optimizers.AdamW, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False},
     {"weight_decay": 0.004}),
    ("adagrad", keras.optimizers.Adagrad, {"initial_accumulator_value": 0.1, "epsilon": 1e-7}, {}),
    ("adagrad", keras.optimizers.Adagrad, {"initial_accumulator_value": 0.5, "epsilon": 1e-5}, {}),
    ("adadelta", keras.optimizers.Adadelta, {"rho": 0.95, "epsilon": 1e-7}, {}),
    ("adadelta", keras.optimizers.Adadelta, {"rho": 0.5, "epsilon": 1e-3}, {}),
    ("adamax", keras.optimizers.Adamax, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}, {}),
    ("nadam", keras.optimizers.Nadam, {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}, {}),
    ("nadam", keras.optimizers.Nadam, {"beta_1": 0.7, "beta_2": 0.9, "epsilon": 1e-7}, {}),
    ("ftrl", keras.optimizers.Ftrl, {"learning_rate_power": -0.5, "initial_accumulator_value": 0.1,
                                     "l1_regularization_strength": 0.0, "l2_regularization_strength": 0.0,
                                     "l2_shrinkage_regularization_strength": 0.0, "beta": 0.0}, {}),
    ("ftrl", keras.optimizers.Ftrl, {"learning_rate_power": -0.7, "initial_accumulator_value": 0.3,
                                     "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
                                     "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}, {}),
    ("lion", keras.optimizers.Lion, {"beta_1": 0.9, "beta_2": 0.99}, {}),
    ("lion", keras.optimizers.Lion, {"beta_1": 0.5, "beta_2": 0.7}, {}),
]


@pytest.mark.parametrize("rule,cls,hyper,common", RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)])
def test_rule_matches_keras_formula_over_steps(rule, cls, hyper, common):
    lr = 0.05
    opt = cls(learning_rate=lr, **hyper, **common)
    drive(opt, KerasReference(rule, hyper, lr=lr, **common), steps=6)
    assert opt.iterations == 6


@pytest.mark.parametrize("rule,cls,hyper,common", RULES[::3], ids=[r[0] for r in RULES[::3]])
def test_rule_with_weight_decay(rule, cls, hyper, common):
    common = {**common, "weight_decay": 0.1}
    opt = cls(learning_rate=0.05, **hyper, **common)
    drive(opt, KerasReference(rule, hyper, lr=0.05, **common), steps=4)
