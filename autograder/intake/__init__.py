"""Submissions as they arrive: whose upload is where (``submissions``, with the LMS formats), who
the students are (``roster``), and safe private copies of one upload (``workspace``)."""
