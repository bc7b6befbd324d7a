"""The errors of the readers and the loader."""


class LoadError(ValueError):
    """Input that cannot be loaded; the message says what is wrong and what to do."""


class LimitError(LoadError):
    """A file that reaches a cap of :class:`~srs_analytics.io.limits.ReadLimits`.

    Unlike other problems of one member of an archive, it stops the whole load.
    """
