"""Errors that end a command with a clear Chinese message instead of a traceback."""

from __future__ import annotations

EXIT_FAILURE, EXIT_USAGE = 1, 2


class CommandError(Exception):
    """A command that cannot go on; the message (Chinese) is shown without a traceback."""

    def __init__(self, message: str, status: int = EXIT_FAILURE):
        super().__init__(message)
        self.status = status
