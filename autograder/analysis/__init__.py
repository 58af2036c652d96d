"""Static checks on a student's source text (parsed, never run): loops and rebinding (``loops``)."""
