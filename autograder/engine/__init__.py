"""The trusted engine: one working copy's graded tests.

``api`` is how a test is written (re-exported for authors by ``autograder.testing``), ``discovery``
finds an assignment's tests, ``running`` runs them against the sandbox, ``scoring`` turns results
into points, ``messages`` decides what a student may see of a failure, ``diagnosis`` names known
mistakes, ``summary`` reads results per function, ``job`` is one student's whole grading job.
"""
