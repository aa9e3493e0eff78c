"""The examples in the docstrings of course_lib run and print what they say."""

import doctest
import importlib

import matplotlib.pyplot as plt
import pytest

MODULES = ["course_lib.optim", "course_lib.schedules", "course_lib.problems", "course_lib.run", "course_lib.averages",
           "course_lib.data", "course_lib.plots", "course_lib.widgets", "course_lib.nn"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    results = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    plt.close("all")  # plots' example draws on a new pyplot figure, as in a notebook
    assert results.attempted > 0 and results.failed == 0
