"""Real-browser test support: Chromium from Debian, and skydd under uvicorn on 127.0.0.1.

The browser is launched once per session by the ``browser`` fixture of
``tests/web/conftest.py``, with the flags a headless machine without network needs.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
START_TIMEOUT = 10.0


def free_socket() -> socket.socket:
    """A socket bound to a free 127.0.0.1 port, so a URL is known before the app is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free 127.0.0.1 port in a thread; yield its URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    with serving_on(app, sock):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def serving_on(app: FastAPI, sock: socket.socket) -> Iterator[None]:
    """Run ``app`` under uvicorn on ``sock`` in a thread until the block ends."""
    config = uvicorn.Config(
        app, lifespan="off", ws="none", log_config=None, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start serving skydd")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        sock.close()
