"""Finding shared code in a class: normalized token fingerprints (``fingerprints``), the pairwise
comparison (``compare``) and its HTML report (``html``). Submissions are parsed, never run."""
