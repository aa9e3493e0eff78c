"""Each optimizer's first steps, worked out by hand from the equations in its lesson.

The numbers are chosen so the arithmetic is short enough to check on paper; each expected value is
written as that arithmetic, not as a number copied from a run of the code under test.
"""

from math import sqrt

import numpy as np
import pytest

from course_lib.optim import (SGD, AdaDelta, AdaGrad, Adam, AdamW, AMSGrad, Momentum, Nadam,
                              Nesterov, RMSprop)


def steps(opt, gradients, theta0=1.0):
    """The iterates θ1, θ2, ... of a one-coordinate parameter started at theta0."""
    theta = np.array([theta0])
    state = opt.init(theta)
    out = []
    for g in gradients:
        theta, state = opt.update(theta, np.array([g]), state)
        out.append(float(theta[0]))
    return out


def test_sgd():
    assert steps(SGD(lr=0.1), [0.5, -1.0]) == pytest.approx([1 - 0.05, 0.95 + 0.1])


def test_sgd_with_l2_weight_decay_adds_omega_theta_to_the_gradient():
    # g' = g + ωθ (ω the weight decay) = 0.5 + 0.5·1 = 1;  θ1 = 1 − 0.1·1
    assert steps(SGD(lr=0.1, weight_decay=0.5), [0.5]) == pytest.approx([0.9])


def test_momentum():
    # m1 = 2, θ1 = 1 − 0.1·2 = 0.8;  m2 = 0.5·2 + 4 = 5, θ2 = 0.8 − 0.1·5 = 0.3
    assert steps(Momentum(lr=0.1, beta=0.5), [2.0, 4.0]) == pytest.approx([0.8, 0.3])


def test_momentum_ema_form():
    # m1 = 0.5·2 = 1, θ1 = 1 − 0.2·1 = 0.8;  m2 = 0.5·1 + 0.5·4 = 2.5, θ2 = 0.8 − 0.2·2.5 = 0.3
    assert steps(Momentum(lr=0.2, beta=0.5, ema=True), [2.0, 4.0]) == pytest.approx([0.8, 0.3])


def test_nesterov():
    # m1 = 2, θ1 = 1 − 0.1(2 + 0.5·2) = 0.7;  m2 = 0.5·2 + 4 = 5, θ2 = 0.7 − 0.1(4 + 0.5·5) = 0.05
    assert steps(Nesterov(lr=0.1, beta=0.5), [2.0, 4.0]) == pytest.approx([0.7, 0.05])


def test_adagrad():
    # s1 = 9, θ1 = 1 − 0.1·3/3 = 0.9;  s2 = 9 + 16 = 25, θ2 = 0.9 − 0.1·4/5 = 0.82
    assert steps(AdaGrad(lr=0.1, eps=0.0), [3.0, 4.0]) == pytest.approx([0.9, 0.82])


def test_rmsprop():
    # v1 = 0.25·16 = 4, θ1 = 1 − 0.1·4/2 = 0.8;  v2 = 0.75·4 + 0.25·64 = 19, θ2 = 0.8 + 0.1·8/√19
    assert steps(RMSprop(lr=0.1, beta=0.75, eps=0.0), [4.0, -8.0]) == pytest.approx([0.8, 0.8 + 0.8 / sqrt(19)])


def test_rmsprop_eps_is_outside_the_root():
    # v1 = 0.5·1 = 0.5;  θ1 = 1 − 1·1/(√0.5 + 0.25), not 1/√(0.5 + 0.25)
    assert steps(RMSprop(lr=1.0, beta=0.5, eps=0.25), [1.0]) == pytest.approx([1 - 1 / (sqrt(0.5) + 0.25)])


def test_adadelta():
    # v1 = 0.5·4 = 2;  Δ1 = √(0 + 1)/√(2 + 1)·2 = 2/√3;  u1 = 0.5·4/3 = 2/3;  θ1 = 1 − 2/√3
    # v2 = 0.5·2 + 0.5·1 = 1.5;  Δ2 = √(2/3 + 1)/√(1.5 + 1)·1;  θ2 = θ1 − Δ2
    theta1 = 1 - 2 / sqrt(3)
    theta2 = theta1 - sqrt(2 / 3 + 1) / sqrt(1.5 + 1)
    assert steps(AdaDelta(lr=1.0, beta=0.5, eps=1.0), [2.0, 1.0]) == pytest.approx([theta1, theta2])


def test_adam():
    # m1 = 0.5·2 = 1, v1 = 0.25·4 = 1;  m̂ = 1/0.5 = 2, v̂ = 1/0.25 = 4;  θ1 = 1 − 0.1·2/2 = 0.9
    # m2 = 0.5 − 1 = −0.5, v2 = 0.75 + 1 = 1.75;  m̂ = −0.5/0.75, v̂ = 1.75/0.4375 = 4;  θ2 = 0.9 + 0.1·(2/3)/2
    assert steps(Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0), [2.0, -2.0]) == pytest.approx([0.9, 0.9 + 1 / 30])


def test_adam_without_bias_correction():
    # m1 = 0.5·4 = 2, v1 = 0.04·16 = 0.64;  θ1 = 1 − 0.1·2/0.8 = 0.75 (with the correction: 0.9)
    opt = Adam(lr=0.1, beta1=0.5, beta2=0.96, eps=0.0, bias_correction=False)
    assert steps(opt, [4.0]) == pytest.approx([0.75])
    assert steps(Adam(lr=0.1, beta1=0.5, beta2=0.96, eps=0.0), [4.0]) == pytest.approx([0.9])


def test_adamw_decays_the_weights_and_adam_l2_does_not_the_same():
    # AdamW: θ ← 1·(1 − 0.1·0.5) = 0.95, then the Adam step of g = 2, which is 0.1: θ1 = 0.85
    # Adam + L2: g = 2 + 0.5·1 = 2.5, the first step is 0.1·sign(g): θ1 = 0.9
    assert steps(AdamW(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, weight_decay=0.5), [2.0]) == pytest.approx([0.85])
    assert steps(Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, weight_decay=0.5), [2.0]) == pytest.approx([0.9])


def test_amsgrad_keeps_the_largest_second_moment():
    # step 1 as Adam: θ1 = 0.9, v1 = v_max = 1;  g2 = 0: m2 = 0.5, v2 = 0.75 but v_max stays 1
    # m̂ = 0.5/0.75 = 2/3, v̂ = 1/0.4375 = 16/7;  θ2 = 0.9 − 0.1·(2/3)/(4/√7)
    # (Adam would use v̂ = 0.75/0.4375 = 12/7)
    amsgrad = steps(AMSGrad(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0), [2.0, 0.0])
    adam = steps(Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0), [2.0, 0.0])
    assert amsgrad == pytest.approx([0.9, 0.9 - 0.1 * (2 / 3) / (4 / sqrt(7))])
    assert adam == pytest.approx([0.9, 0.9 - 0.1 * (2 / 3) / sqrt(12 / 7)])


def test_nadam():
    # μ_t = β1(1 − ½·0.96^(tψ));  step 1: Π1 = μ1; m = 1, v = 1, v̂ = 4, √v̂ = 2
    # θ1 = 1 − 0.1(1 − μ1)/(1 − μ1)·2/2 − 0.1·μ2/(1 − μ1μ2)·1/2
    mu = [0.5 * (1 - 0.5 * 0.96 ** (t * 0.004)) for t in (1, 2)]
    theta1 = 1 - 0.1 - 0.05 * mu[1] / (1 - mu[0] * mu[1])
    assert steps(Nadam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0), [2.0]) == pytest.approx([theta1])


def test_lr_schedule_is_read_at_the_step_index_counting_from_zero():
    # η_t = 0.1·0.5^t: the first update uses 0.1, the second 0.05
    assert steps(SGD(lr=lambda t: 0.1 * 0.5**t), [1.0, 1.0]) == pytest.approx([0.9, 0.85])
