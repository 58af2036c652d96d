"""For course authors: the student release of an assignment (``release``)."""
