"""The RFC 9457 problem document every API error answers with."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ProblemOut(BaseModel):
    """An error as ``application/problem+json`` (RFC 9457)."""

    model_config = ConfigDict(extra="allow", title="Problem", use_attribute_docstrings=True)

    type: str
    """A URI naming the kind of problem, under https://skydd.dev/problems/."""
    title: str
    """A short summary of the kind of problem."""
    status: int
    """The HTTP status code, repeated."""
    detail: str
    """What went wrong with this request."""
    errors: list[dict[str, str]] | None = None
    """Validation errors only: one ``{"field", "message"}`` per rejected input."""
    incident: str | None = None
    """Internal errors only: the id under which the error was logged."""
