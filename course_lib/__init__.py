"""course_lib: the shared code of the course "Optimizers of deep learning".

optim        the optimizers (SGD ... Nadam), one short rule each, as in the lessons
schedules    learning-rate schedules, pure functions of the step
problems     test functions with known minima (quadratic, Rosenbrock, Beale, saddle, Himmelblau)
run          run an optimizer on a problem; sweep a grid of hyper-parameters in one vectorized run
theory       what theory predicts on a quadratic: best settings, rates, stability limits
nn           a tiny numpy MLP (forward, backward, gradient check, clipping, training) for lesson 08
averages     exponential moving averages (EMAs), with and without bias correction
data         synthetic data (a noisy line, two moons, a noisy signal), mini-batches, least squares as a problem
plots        contours with optimizer paths, loss curves, EMAs, schedules, races; one colour per optimizer
widgets      the interactive explorers: sliders wired to run and plots
checks       the checks of the exercises: your function against the reference, with hints
             (a package: its machinery, then one module per exercise)
"""

__version__ = "0.1.0"
