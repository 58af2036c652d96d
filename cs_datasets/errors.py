"""The one exception type cs_datasets raises for problems a user can fix."""


class DatasetError(Exception):
    """A dataset problem with a one-line, user-facing explanation (offline, corrupt file, missing batch).

    The command line prints ``str(error)`` alone, without a traceback.
    """
