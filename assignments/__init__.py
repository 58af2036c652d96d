"""Support library for the CIFAR-10 image-classification assignments.

The notebooks import these helpers so that students can concentrate on the
graded parts (classifiers, losses, gradients) rather than on tooling:

* :mod:`assignments.gradient_check` -- finite-difference gradients and
  relative errors for checking hand-written backward passes;
* :mod:`assignments.vis` -- image grids, per-class sample images, learned
  weight templates and loss/accuracy curves (matplotlib, imported lazily);
* :mod:`assignments.timing` -- timing and formatting of run times, e.g. to
  compare loop and vectorized implementations.

Nothing graded lives in this package.
"""

from .gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)
from .timing import format_seconds, time_function
from .vis import (
    plot_history,
    show_examples_per_class,
    show_weight_templates,
    visualize_grid,
)

__all__ = [
    "rel_error",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
    "visualize_grid",
    "show_examples_per_class",
    "show_weight_templates",
    "plot_history",
    "time_function",
    "format_seconds",
]
