"""pytest set-up shared by the whole repository.

nbval runs each notebook in a Jupyter kernel and compares its outputs with the stored ones. Two
options make that reproducible wherever pytest is started from: use this environment's Python as
the kernel (not whatever kernel "python3" points to on the machine), and pass outputs through the
sanitize file, which masks the little text that legitimately changes between runs.
"""

import os
from pathlib import Path

# numpy's linear algebra (OpenBLAS) on one thread, in the tests and in the notebook kernels they
# start: the course's matrices are tiny, so a second thread gains nothing and waits for a busy
# core (lesson 08 trained 7× slower on a loaded 2-core machine), and results do not depend on
# how many threads happened to be free.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

SANITIZE_FILE = Path(__file__).parent / "tests" / "nbval_sanitize.cfg"


def pytest_configure(config):
    if hasattr(config.option, "nbval_current_env"):
        config.option.nbval_current_env = True
        if not config.option.nbval_sanitize_with:
            config.option.nbval_sanitize_with = str(SANITIZE_FILE)
