"""Submissions as they arrive: whose upload is where (``submissions``, with the LMS formats), who
the students are (``roster``), safe private copies of one upload (``workspace``), and notebooks
made inert before they are shown to a person (``inert``)."""
