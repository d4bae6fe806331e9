"""The engine's error types. Every message names the offending element.

Messages are one line: any text that comes from a file (ids, labels, names, values) goes
through ``quote`` or ``plain``, which escape control characters, line breaks and other
invisible characters the way ``repr`` does, and shorten very long text.
"""

from __future__ import annotations

SHOWN_CHARACTERS = 60  # longer text from a file is cut in messages, with "…"


def plain(text: object, limit: int = SHOWN_CHARACTERS) -> str:
    """``text`` safe to print on one line: non-printable characters (control codes,
    ANSI escapes, line separators, bidirectional overrides) escaped as \\x1b, \\n,
    \\u202e …; longer than ``limit`` characters, cut with "…"."""
    text = str(text)
    cut = len(text) > limit
    if cut:
        text = text[:limit]
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text + "…" if cut else text


def quote(text: object, limit: int = SHOWN_CHARACTERS) -> str:
    """``repr``-like quoting for text from a file: 'h1', 'a\\nb', 'very long…'."""
    if not isinstance(text, str):
        return plain(repr(text), limit)
    cut = len(text) > limit
    shown = repr(text[:limit] if cut else text)
    return shown[:-1] + "…" + shown[-1] if cut else shown


class NetworkError(ValueError):
    """An edit that would make the network invalid; the network is left unchanged."""


class UnknownNeuronError(NetworkError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ConnectionRefused(NetworkError):
    """A connection the graph cannot take; ``reason`` is a short phrase for a status bar."""

    def __init__(self, source: str, target: str, reason: str) -> None:
        super().__init__(f"cannot connect {plain(source)} → {plain(target)}: {reason}")
        self.source = source
        self.target = target
        self.reason = reason


class SelfLoopError(ConnectionRefused):
    pass


class DuplicateConnectionError(ConnectionRefused):
    pass


class IntoInputError(ConnectionRefused):
    pass


class FromOutputError(ConnectionRefused):
    pass


class CycleError(ConnectionRefused):
    def __init__(
        self, source: str, target: str, path: list[str], names: list[str] | None = None
    ) -> None:
        """``path``: the ids around the cycle; ``names``: how to say them (the labels, as
        the other refusals' reasons do), the ids when not given."""
        cycle = " → ".join(plain(p) for p in names or path)
        super().__init__(source, target, f"it would close a cycle {cycle}")
        self.path = path


class NetworkFileError(ValueError):
    """Anything wrong with a network file; the message says what and where."""


class TrainingDiverged(ArithmeticError):
    """Training produced NaN or infinity; parameters were restored to the last finite ones."""
