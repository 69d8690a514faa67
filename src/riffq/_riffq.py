"""Compatibility alias: riffq 0.1.11 exposed its compiled ``Server`` as
``riffq._riffq.Server``; code importing it from there keeps working."""
from .server import Server

__all__ = ["Server"]
