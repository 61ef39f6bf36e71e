"""The one exception type of the package."""


class RungsError(Exception):
    """A study file or journal that cannot be read: missing, not a rungs study, of a newer
    format, or damaged. The message is one line that names the file."""
