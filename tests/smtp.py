"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests: it keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Mailbox:
    """Every message the server accepted, parsed, in arrival order."""

    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        """Keep the message; aiosmtpd passes the server and session too."""
        del server, session
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def clear(self) -> None:
        """Forget every message received so far."""
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to ``address``."""
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def last_code(self, address: str) -> str:
        """The six-digit code in the newest message to ``address``."""
        body = text_of(self.to(address)[-1])
        found = CODE.search(body)
        assert found is not None, "no code in the message"
        return found.group(1)


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """Start aiosmtpd on a free loopback port; yields the port and the mailbox."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()
