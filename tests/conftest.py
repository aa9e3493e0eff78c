"""Set-up for the unit tests of course_lib.

Figures are drawn with matplotlib's Agg backend: no window, the same pixels on every machine.
(Only here: the notebooks keep the inline backend, whose figure outputs nbval compares.)
"""

import matplotlib

matplotlib.use("Agg")
