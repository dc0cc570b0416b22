"""Where the console may send a browser after signing in: its own pages, nothing else.

The target comes from the ``next`` parameter, which anyone can write into a link, so
it is an open-redirect risk (CWE-601). Only a path of the console itself is
accepted: it starts with ``/console``, has no scheme, host, backslash, doubled slash,
dot segment, control character or white space. Anything else falls back to the
console's home page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

HOME = "/console"
MAX_LENGTH = 2000


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path of the console; ``None`` otherwise."""
    if not target or len(target) > MAX_LENGTH:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    if "\\" in target or "//" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.fragment:
        return None
    path = parts.path
    if path != HOME and not path.startswith(HOME + "/"):
        return None
    if any(segment in {".", ".."} for segment in path.split("/")):
        return None
    return target


def next_or_home(target: str | None) -> str:
    """The safe ``target``, or the console's home page."""
    return safe_next(target) or HOME
