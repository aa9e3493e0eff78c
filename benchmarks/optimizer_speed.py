"""How fast course_lib's optimizers are, and why the sweeps are vectorized.

    python benchmarks/optimizer_speed.py

(a) A sweep of 10 000 heavy-ball (Momentum) settings × 500 steps on Rosenbrock: one vectorized run
    (params (10 000, 2), lr and beta of shape (10 000, 1)) against a Python loop that runs the
    settings one at a time. The loop is timed on a sample of settings and scaled up; the sampled
    rows must equal the vectorized ones exactly.
(b) One Adam update of 4 million float32 parameters: course_lib, the plain numpy a textbook writes,
    and torch.optim.Adam's default path when PyTorch is installed.

Every figure is the median of several repeats. This is a script, not a test: timings depend on
the machine.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from course_lib.optim import Adam, Momentum
from course_lib.problems import Rosenbrock
from course_lib.run import run


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep_benchmark(configs: int = 10_000, steps: int = 500, sampled: int = 50) -> None:
    rng = np.random.default_rng(0)
    lr = rng.uniform(1e-5, 2e-3, size=(configs, 1))
    beta = rng.uniform(0.0, 0.99, size=(configs, 1))
    problem, start = Rosenbrock(), np.tile([-1.5, 2.0], (configs, 1))

    def vectorized():
        return run(Momentum(lr=lr, beta=beta), problem, start, steps)

    sample = rng.choice(configs, size=sampled, replace=False)

    def loop_over_sample():
        return [run(Momentum(lr=float(lr[k, 0]), beta=float(beta[k, 0])), problem, start[k], steps) for k in sample]

    vector_time = median_seconds(vectorized, repeats=5)
    loop_time = median_seconds(loop_over_sample, repeats=3) * configs / sampled
    together, alone = vectorized(), loop_over_sample()
    identical = all(np.array_equal(together.points[:, k], path.points, equal_nan=True) for k, path in zip(sample, alone))
    print(f"(a) Momentum sweep, {configs} settings × {steps} steps on Rosenbrock")
    print(f"    vectorized: {vector_time:.3f} s   Python loop: {loop_time:.1f} s (from {sampled} settings)"
          f"   speed-up {loop_time / vector_time:.0f}×   sampled rows identical: {identical}")


def textbook_adam(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_benchmark(size: int = 4_000_000, repeats: int = 15) -> None:
    rng = np.random.default_rng(1)
    theta = rng.standard_normal(size, dtype=np.float32)
    g = rng.standard_normal(size, dtype=np.float32)
    opt = Adam(lr=1e-3)
    state = opt.update(theta, g, opt.init(theta))[1]           # a state after one step, so t = 2 below
    m, v = state["m"], state["v"]

    course = median_seconds(lambda: opt.update(theta, g, state), repeats)
    textbook = median_seconds(lambda: textbook_adam(theta, g, m, v, 2), repeats)
    same = np.allclose(opt.update(theta, g, state)[0], textbook_adam(theta, g, m, v, 2)[0], rtol=1e-6, atol=1e-7)
    print(f"(b) one Adam update, {size:,} float32 parameters (median of {repeats})")
    print(f"    course_lib: {course * 1e3:.1f} ms   textbook numpy: {textbook * 1e3:.1f} ms   same result: {same}")
    try:
        import torch
    except ImportError:
        print("    torch.optim.Adam: not installed")
        return
    torch.set_num_threads(2)
    parameter = torch.nn.Parameter(torch.from_numpy(theta.copy()))
    parameter.grad = torch.from_numpy(g.copy())
    torch_adam = torch.optim.Adam([parameter], lr=1e-3)
    torch_adam.step()                                          # creates its state
    default = median_seconds(torch_adam.step, repeats)
    print(f"    torch.optim.Adam (default path, {torch.get_num_threads()} threads): {default * 1e3:.1f} ms")


if __name__ == "__main__":
    sweep_benchmark()
    adam_benchmark()
