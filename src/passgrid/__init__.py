"""passgrid: repeated sampling on code benchmarks, run as a reproducible grid."""


class PassgridError(Exception):
    """A user-facing error: bad config, bad input file, unreachable resource.

    Its message is one line that names the file, line or key at fault; the CLI
    and the workflow print it without a traceback.
    """
