"""The two apps ``bench/consent.py`` serves with uvicorn: skydd, and the framework's ceiling.

``skydd_app`` is ``skydd.asgi.app_from_environment`` (its heap settled likewise) with
the per-address rate limit off: every request of the load generator comes from
127.0.0.1, so the default limit (120 a minute) would answer 429 to nearly all of them.
Everything else is as served in production: the settings from ``SKYDD_*``, the whole
app (API and web pages), the hardening middleware, the log filter.

``ceiling_app`` is the least a FastAPI route can be: a POST whose small JSON body a
pydantic model reads, answering a small JSON object. What skydd's consent route
reaches beside it, under the same uvicorn settings in the same run, says how much
of the time is skydd's and how much the framework's.

``python -m bench.consent_app APP PORT WORKERS`` serves one of them as ``uvicorn
--workers`` does, with one difference: the listening socket is made with
``IPPROTO_TCP``. uvicorn's own (``Config.bind_socket``) leaves ``proto`` at 0, the
accepted sockets inherit it, and asyncio then never sets ``TCP_NODELAY`` on them: with
more than one worker every keep-alive answer waits about 40 ms for the client's delayed
ACK (uvicorn issue #3149, open). Measured here: the ceiling app with two workers
answered 180 requests/s at one connection and 690 at 32, against 3,000 with one worker.
"""

from __future__ import annotations

import math
import socket
import sys

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from uvicorn.supervisors import Multiprocess

from skydd.api.hardening import TokenBuckets
from skydd.api.log_hygiene import install_log_hygiene
from skydd.asgi import create_app, settle_heap
from skydd.bootstrap import build_container
from skydd.config import Settings


def skydd_app() -> FastAPI:
    """Uvicorn factory: skydd from the environment, without the rate limit."""
    app = create_app(build_container(Settings()), rate_limit=TokenBuckets(per_minute=math.inf))
    install_log_hygiene()
    settle_heap()
    return app


class PingIn(BaseModel):
    """A body shaped like a consent's: who, for what, which way."""

    email: str
    purpose: str
    status: str


class PingOut(BaseModel):
    """A small answer."""

    purpose: str
    recorded: bool


def ceiling_app() -> FastAPI:
    """Uvicorn factory: one POST route reading a small body and answering a small one."""
    app = FastAPI()

    @app.post("/ceiling")
    async def ceiling(body: PingIn) -> PingOut:
        return PingOut(purpose=body.purpose, recorded=True)

    return app


def serve(app: str, port: int, workers: int) -> None:
    """``app`` (a factory's import path) on 127.0.0.1:``port`` in ``workers`` processes."""
    config = uvicorn.Config(
        app,
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.set_inheritable(True)
    if workers > 1:
        Multiprocess(config, sockets=[listener]).run()
    else:
        uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
