"""Who asks, and may they: bearer tokens in, ``access_control.decide`` for every answer.

``ActorDep`` reads ``Authorization: Bearer <token>`` and returns the token's actor, or
``None`` when no token was sent (public routes take it to know who asked, if anyone).
``require(action)`` guards a protected route: no token is a 401 with
``WWW-Authenticate: Bearer``; a refused token is a 401; a token whose scopes or roles
do not allow ``action`` is a 403. Refused tokens and denials are written to the audit
log as ``access.denied`` in their own unit of work, before the route runs, so a
refusal changes nothing else. The token itself never reaches the log. ADR 0012.

A guarded request authenticates and looks up the served organisation's roles in one
unit of work: one query for token and owner, one for the newest register version id;
the roles themselves come from the container's cache until a new version is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from skydd.api.deps import get_container
from skydd.api.problems import problem_responses
from skydd.bootstrap import Container
from skydd.domain.access_control import AccessRequest, decide
from skydd.domain.access_vocabulary import Action, Actor
from skydd.domain.credentials import parse_token
from skydd.domain.errors import AuthenticationFailed
from skydd.services.access import record_denial
from skydd.services.accounts import (
    ANONYMOUS,
    VerifiedToken,
    record_token_use,
    verify_token,
)
from skydd.services.register import ServedRoles, cached_served_roles, served_roles

ORIGIN = "api"
"""The audit origin of API requests; client addresses are not logged (personal data)."""

INVALID_TOKEN = "invalid-token"  # noqa: S105 - a reason code, not a secret
"""The audit reason of a presented token that was refused (unknown, revoked, expired …)."""

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token, `skydd_<id>_<secret>` (`skydd tokens create`).",
)
"""Documents the bearer scheme in OpenAPI; a missing header is ours to answer, not FastAPI's."""

PROTECTED_RESPONSES = problem_responses(
    {
        401: "No token, or the token is unknown, revoked or expired.",
        403: "The token's scopes or its owner's roles do not allow this.",
    }
)
"""The OpenAPI ``responses`` of every route guarded by :func:`require`."""


class NotAuthenticated(AuthenticationFailed):
    """No credentials were sent: 401, with the challenge RFC 9110 §11.6.1 requires."""

    code = "not-authenticated"

    def __init__(self) -> None:
        super().__init__("this route needs an API token (Authorization: Bearer …)")


def route_of(request: Request) -> str:
    """The route's path template (``/api/v1/breaches/{reference}``), never the values."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or "unknown"
    return f"{request.method} {path}"


def _record_refused_token(
    request: Request, container: Container, presented: str, action: Action | None
) -> None:
    parsed = parse_token(presented)
    # The public token id, when the text has one, says which token was tried.
    who = f"token:{parsed.token_id}" if parsed is not None else ANONYMOUS
    record_denial(
        container.uow(),
        container.clock,
        actor=who,
        route=route_of(request),
        action=action,
        reason=INVALID_TOKEN,
        origin=ORIGIN,
    )


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def current_actor(
    request: Request, credentials: BearerDep, background: BackgroundTasks
) -> Actor | None:
    """The token's actor; ``None`` without a token; 401 (audited) for a refused token.

    Checked as :func:`require` checks: on the event loop where the read cannot wait
    (SQLite), else in a worker thread, and ``last_used_at`` written after the response.
    A sync dependency would cost a thread hop on every request, as much as the check.
    """
    if credentials is None:
        return None
    container = get_container(request)
    presented = credentials.credentials
    try:
        if container.fast_reads is not None and container.fast_reads.never_waits:
            verified = _verify(container, presented)
        else:
            verified = await run_in_threadpool(_verify, container, presented)
    except AuthenticationFailed:
        await run_in_threadpool(_record_refused_token, request, container, presented, None)
        raise
    if verified.use_due:
        background.add_task(record_token_use, container.uow(), container.clock, verified.token_id)
    return verified.actor


def _verify(container: Container, presented: str) -> VerifiedToken:
    """The token check alone: reads only."""
    uow = container.uow()
    with uow:
        return verify_token(uow, container.clock, container.token_hasher, presented)


ActorDep = Annotated[Actor | None, Depends(current_actor)]


def require(action: Action) -> Callable[..., Awaitable[Actor]]:
    """A dependency that lets the request through only when ``decide`` allows ``action``.

    The stored register of the organisation served supplies the roles (built-in plus
    its own); without one the route answers 404 after authentication, since no role
    can be resolved (ADR 0012). A newly stored register version applies from the next
    request on: the role cache is keyed by the newest version id, read every time.
    """

    async def guard(request: Request, credentials: BearerDep, background: BackgroundTasks) -> Actor:
        if credentials is None:
            raise NotAuthenticated
        # Called, not declared as a dependency: a sync dependency costs a thread hop.
        container = get_container(request)
        presented = credentials.credentials
        try:
            checked = _check_on_loop(container, presented)
            if checked is None:
                checked = await run_in_threadpool(_check_in_pool, container, presented)
        except AuthenticationFailed:
            await run_in_threadpool(_record_refused_token, request, container, presented, action)
            raise
        verified, served = checked
        if verified.use_due:
            # After the response, in a worker thread: the write may wait for the lock.
            background.add_task(
                record_token_use, container.uow(), container.clock, verified.token_id
            )
        actor, register = verified.actor, served.register
        wanted = AccessRequest(action=action, organisation=register.organisation.key)
        decision = decide(actor, wanted, served.roles, register)
        if not decision.allowed:
            await run_in_threadpool(
                record_denial,
                container.uow(),
                container.clock,
                origin=ORIGIN,
                actor=actor.id,
                route=route_of(request),
                action=action,
                reason=decision.reason.value,
                organisation=register.organisation.key,
            )
            decision.enforce(wanted)
        return actor

    guard.__name__ = f"require_{action.name.lower()}"
    return guard


Checked = tuple[VerifiedToken, ServedRoles]


def _check_on_loop(container: Container, presented: str) -> Checked | None:
    """The token check on the event loop, when nothing in it can wait; else None.

    On SQLite the two reads never wait (``FastReads.never_waits``); the check then
    costs a fraction of a millisecond and no thread hop. A register version not yet
    cached needs a load through the session, which may wait: None sends the whole
    check to a worker thread instead. Writes never happen here.
    """
    fast = container.fast_reads
    if fast is None or not fast.never_waits:
        return None
    uow = container.uow()
    with uow:
        verified = verify_token(uow, container.clock, container.token_hasher, presented)
        served = cached_served_roles(uow, container.role_cache, container.organisation_key)
    return None if served is None else (verified, served)


def _check_in_pool(container: Container, presented: str) -> Checked:
    """The token check in a worker thread: reads, and the register load on a cache miss."""
    uow = container.uow()
    with uow:
        verified = verify_token(uow, container.clock, container.token_hasher, presented)
        served = served_roles(uow, container.role_cache, container.organisation_key)
    return verified, served


def protected(action: Action) -> dict[str, Any]:
    """Route keyword arguments of a guarded route: the dependency and its documented errors."""
    return {"dependencies": [Depends(require(action))], "responses": PROTECTED_RESPONSES}


ReadsRequests = Annotated[Actor, Depends(require(Action.REQUESTS_READ))]
"""A route parameter: the actor, allowed to read data subject requests."""
ManagesRequests = Annotated[Actor, Depends(require(Action.REQUESTS_MANAGE))]
"""A route parameter: the actor, allowed to act on data subject requests."""
