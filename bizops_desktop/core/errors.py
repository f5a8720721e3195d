"""The errors a user may see. Each carries a message in plain words: what is wrong, where, what to do.

Anything else that escapes an analysis is a bug; the CLI and the window turn it into a short
message too, but only these are *expected*.
"""

from __future__ import annotations

from typing import Any

from .i18n import _, text

_ENDS = ".。！!"
_ASKS = ("?", "？", "!", "！")


class BizOpsError(Exception):
    """Base of every expected, user-facing error. ``str(err)`` is the message for the user."""

    exit_code = 1

    def __init__(self, message: Any, *, where: str | None = None, hint: Any = None):
        # message and hint: translated text (``_("...")``), or a Message/LazyText rendered when shown
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.user_message())

    def user_message(self) -> str:
        """The one line the user reads, in the current language: where, what, and what to do."""
        what = text(self.message).strip().rstrip(_ENDS)
        if self.where:
            what = _("{where}: {problem}", where=self.where, problem=what)
        hint = text(self.hint).strip() if self.hint else ""
        if hint.endswith(_ASKS):  # a question keeps its question mark: "… is this really a table?"
            return _("{problem}. {hint}", problem=what, hint=hint)
        hint = hint.rstrip(_ENDS)
        if hint:
            return _("{problem}. {hint}.", problem=what, hint=hint)
        return _("{problem}.", problem=what)

    def __str__(self) -> str:
        return self.user_message()


class DataError(BizOpsError):
    """The data cannot be used as it is (empty file, bad column, missing role, too few rows...)."""

    exit_code = 1


class UsageError(BizOpsError):
    """The request is wrong (unknown analysis, bad parameter value, bad command-line use)."""

    exit_code = 2


class ProjectError(BizOpsError):
    """A project file cannot be read or written (truncated, not ours, from a newer version...)."""

    exit_code = 1


class Cancelled(Exception):
    """Raised inside a running job at its next progress check after the user pressed Cancel."""


def first_line(exc: BaseException, *, with_type: bool = True) -> str:
    """An unexpected exception in one line, as the window, the CLI and the plugin report show it:
    ``"KeyError: 'x'"`` (or only the text, ``with_type=False``); the type alone when it has no text.
    The full traceback goes to the log, never to the user."""
    lines = str(exc).strip().splitlines()
    text = lines[0].strip() if lines else ""
    if not text:
        return type(exc).__name__
    return f"{type(exc).__name__}: {text}" if with_type else text
