"""Grading a whole class: the run itself (``grade``), its executors (``local`` process pool,
``cluster`` on Dask), the results store (``store``), nbgrader's gradebook (``gradebook``), the
files people read (``feedback``, ``tables``) and the LMS exports (``export``)."""
