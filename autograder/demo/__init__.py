"""``autograder demo``: release assignment1, grade a small class with realistic and hostile
students, and check what the grader did (``run``; the attacker's module is in ``data/``)."""
