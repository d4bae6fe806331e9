"""The engine's error types. Every message names the offending element."""

from __future__ import annotations


class NetworkError(ValueError):
    """An edit that would make the network invalid; the network is left unchanged."""


class UnknownNeuronError(NetworkError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ConnectionRefused(NetworkError):
    """A connection the graph cannot take; ``reason`` is a short phrase for a status bar."""

    def __init__(self, source: str, target: str, reason: str) -> None:
        super().__init__(f"cannot connect {source} → {target}: {reason}")
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
    def __init__(self, source: str, target: str, path: list[str]) -> None:
        super().__init__(source, target, f"it would close a cycle {' → '.join(path)}")
        self.path = path


class NetworkFileError(ValueError):
    """Anything wrong with a network file; the message says what and where."""


class TrainingDiverged(ArithmeticError):
    """Training produced NaN or infinity; parameters were restored to the last finite ones."""
