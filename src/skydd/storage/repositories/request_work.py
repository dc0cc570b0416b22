"""Request steps and answers ↔ rows; results and answer files encrypted under ``key_id``.

A step's result is stored as JSON text (rows an access found; what an erasure masked
and kept) and an answer as the zip's bytes in base64, each sealed for its own row and
column under the top data category: what they hold spans every category.
"""

from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from skydd.domain.errors import NotFoundError
from skydd.domain.request_work import RequestStep, StepId, StepKind, StepStatus
from skydd.domain.requests import RequestId
from skydd.storage.field_crypto import CryptoSource, EncryptedRepository, FieldCrypto
from skydd.storage.tables import RequestAnswerRow, RequestStepRow
from skydd.storage.upserts import upsert

STEPS = "request_steps"
ANSWERS = "request_answers"
CONTENT_CATEGORY = "user"


class SqlRequestWorkRepository(EncryptedRepository):
    """The steps and answers of requests in one database."""

    def __init__(self, session: Session, crypto: CryptoSource) -> None:
        super().__init__(crypto)
        self._session = session

    def add_steps(self, steps: list[RequestStep]) -> None:
        """Store a request's planned steps."""
        for step in steps:
            self._session.add(
                RequestStepRow(id=step.id, request_id=step.request_id, **_step_values(step))
            )
        self._session.flush()

    def steps(self, request_id: RequestId) -> list[RequestStep]:
        """The request's steps, by system."""
        rows = self._session.scalars(
            select(RequestStepRow)
            .where(RequestStepRow.request_id == request_id)
            .order_by(RequestStepRow.system, RequestStepRow.id)
        )
        return [step_of(row) for row in rows]

    def save_step(self, step: RequestStep, result: str | None = None) -> None:
        """Store a step's new state, and its result when one is given: one UPDATE by key."""
        values = _step_values(step)
        if result is not None:
            values["key_id"] = self.crypto.active_key
            values["result_token"] = seal_result(self.crypto, step.id, result)
        changed = self._session.execute(
            update(RequestStepRow).where(RequestStepRow.id == step.id).values(**values)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            msg = "no such step"
            raise NotFoundError(msg)

    def result(self, step_id: StepId) -> str | None:
        """A step's stored result, decrypted."""
        row = self._step_row(step_id)
        if row.result_token is None:
            return None
        return open_result(self.crypto, row.id, row.result_token)

    def save_answer(
        self,
        request_id: RequestId,
        content: bytes,
        secret_hash: str,
        *,
        at: dt.datetime,
        expires_at: dt.datetime,
        downloads: int,
    ) -> None:
        """Store the answer file of a request, replacing an earlier one: one upsert."""
        values = {
            "secret_hash": secret_hash,
            "created_at": at,
            "expires_at": expires_at,
            "downloads_left": downloads,
            "key_id": self.crypto.active_key,
            "file_token": seal_answer(self.crypto, request_id, content),
        }
        key = {"request_id": request_id}
        self._session.execute(upsert(self._session, RequestAnswerRow, key, values))

    def issue_link(
        self, request_id: RequestId, secret_hash: str, *, expires_at: dt.datetime, downloads: int
    ) -> bool:
        """Point a new link at the request's answer, voiding any earlier; False without one."""
        taken = self._session.execute(
            update(RequestAnswerRow)
            .where(RequestAnswerRow.request_id == request_id)
            .values(secret_hash=secret_hash, expires_at=expires_at, downloads_left=downloads)
        )
        return bool(taken.rowcount)  # type: ignore[attr-defined]

    def take_answer(self, secret_hash: str, now: dt.datetime) -> tuple[RequestId, bytes] | None:
        """The answer this secret opens, counting one download; ``None`` when spent or expired.

        The count is taken with a conditional update, so two downloads racing for the
        last one cannot both succeed.
        """
        row = self._session.scalar(
            select(RequestAnswerRow).where(RequestAnswerRow.secret_hash == secret_hash)
        )
        if row is None or row.expires_at <= now or row.downloads_left <= 0:
            return None
        taken = self._session.execute(
            update(RequestAnswerRow)
            .where(RequestAnswerRow.request_id == row.request_id)
            .where(RequestAnswerRow.downloads_left > 0)
            .values(downloads_left=RequestAnswerRow.downloads_left - 1)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return RequestId(row.request_id), open_answer(self.crypto, row.request_id, row.file_token)

    def _step_row(self, step_id: StepId) -> RequestStepRow:
        row = self._session.get(RequestStepRow, step_id)
        if row is None:
            msg = "no such step"
            raise NotFoundError(msg)
        return row


def step_of(row: RequestStepRow) -> RequestStep:
    """A step row's state (its result is read apart, decrypted on demand)."""
    return RequestStep(
        id=StepId(row.id),
        request_id=RequestId(row.request_id),
        system=row.system,
        kind=StepKind(row.kind),
        status=StepStatus(row.status),
        attempts=row.attempts,
        instructions=row.instructions,
        assignee=row.assignee,
        due_on=row.due_on,
        finished_at=row.finished_at,
        error=row.error,
    )


def _step_values(step: RequestStep) -> dict[str, object]:
    """The plain columns of a step's row: everything but its result."""
    return {
        "system": step.system,
        "kind": step.kind.value,
        "status": step.status.value,
        "attempts": step.attempts,
        "instructions": step.instructions,
        "assignee": step.assignee,
        "due_on": step.due_on,
        "finished_at": step.finished_at,
        "error": step.error,
    }


def seal_result(crypto: FieldCrypto, row_id: object, result: str) -> bytes:
    """A step's result encrypted for its row."""
    return crypto.seal(
        result,
        table=STEPS,
        column="result",
        row_id=row_id,
        category=CONTENT_CATEGORY,
        sensitive=False,
    )


def open_result(crypto: FieldCrypto, row_id: object, token: bytes) -> str:
    """A step's result decrypted."""
    return crypto.open(
        token,
        table=STEPS,
        column="result",
        row_id=row_id,
        category=CONTENT_CATEGORY,
        sensitive=False,
    )


def seal_answer(crypto: FieldCrypto, row_id: object, content: bytes) -> bytes:
    """An answer file encrypted for its row."""
    text = base64.b64encode(content).decode("ascii")
    return crypto.seal(
        text,
        table=ANSWERS,
        column="file",
        row_id=row_id,
        category=CONTENT_CATEGORY,
        sensitive=False,
    )


def open_answer(crypto: FieldCrypto, row_id: object, token: bytes) -> bytes:
    """An answer file decrypted."""
    text = crypto.open(
        token,
        table=ANSWERS,
        column="file",
        row_id=row_id,
        category=CONTENT_CATEGORY,
        sensitive=False,
    )
    return base64.b64decode(text)
