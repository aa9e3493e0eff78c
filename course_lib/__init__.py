"""course_lib: the shared code of the course "Optimizers of deep learning".

optim        the optimizers (SGD ... Nadam), one short rule each, as in the lessons
schedules    learning-rate schedules, pure functions of the step
problems     test functions with known minima (quadratic, Rosenbrock, Beale, saddle, Himmelblau)
run          run an optimizer on a problem; sweep a grid of hyper-parameters in one vectorized run
"""

__version__ = "0.1.0"
