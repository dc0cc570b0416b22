"""Typed ORM rows; Alembic migrations are the only source of the schema."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores none natively)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime; pass an aware UTC datetime"
            raise ValueError(msg)
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, _dialect: Dialect
    ) -> dt.datetime | None:
        """Give back aware UTC datetimes whatever the backend returned."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for SQLite and PostgreSQL alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrganisationRow(Base):
    """An organisation whose register skydd keeps."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RegisterVersionRow(Base):
    """One loaded register, stored whole as canonical JSON with its hash."""

    __tablename__ = "register_versions"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(500))
    document: Mapped[str] = mapped_column(Text)


class PolicyVersionRow(Base):
    """An immutable, numbered version of the published policy."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    register_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    renditions: Mapped[list[PolicyRenditionRow]] = relationship(
        back_populates="policy_version", order_by="PolicyRenditionRow.language"
    )


class PolicyRenditionRow(Base):
    """The text of one policy version in one language and format."""

    __tablename__ = "policy_renditions"
    __table_args__ = (UniqueConstraint("policy_version_id", "language", "format"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    policy_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("policy_versions.id"), index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    policy_version: Mapped[PolicyVersionRow] = relationship(back_populates="renditions")


class AuditEventRow(Base):
    """One link of the audit hash chain; never updated (a PostgreSQL trigger refuses it)."""

    __tablename__ = "audit_events"

    sequence: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class BreachRow(Base):
    """One personal data breach in the register (Art. 33(5)); describes the incident only."""

    __tablename__ = "breaches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    aware_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    description: Mapped[str] = mapped_column(Text)
    data_categories: Mapped[str] = mapped_column(Text)
    approx_subjects: Mapped[int] = mapped_column(Integer)
    consequences: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    risk: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    notified_authority_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    subjects_informed: Mapped[bool] = mapped_column(Boolean)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class StaffUserRow(Base):
    """A staff account; its TOTP secret is a field token (``totp_token``) under ``totp_key_id``."""

    __tablename__ = "staff_users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean)
    failed_attempts: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    totp_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_key_id: Mapped[str | None] = mapped_column(String(64), index=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    must_change_password: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ApiTokenRow(Base):
    """An API token: its public id and the keyed hash of its secret, never the secret."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    scopes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class IdentityColumns:
    """A person's name and identifiers: encrypted tokens and blind indexes under ``key_id``.

    Subjects and requests both hold them (``storage/identity_tokens.py`` fills them);
    each token is bound to its row's ``id``.
    """

    id: Mapped[uuid.UUID]
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    name_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    personnummer_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    personnummer_index: Mapped[str | None] = mapped_column(String(64), index=True)


class SubjectRow(IdentityColumns, Base):
    """A data subject: every personal field an encrypted token, identifiers blind-indexed.

    All tokens of a row are under the master key ``key_id``; rotation moves whole rows.
    """

    __tablename__ = "subjects"
    # One subject per identifier: two first consents of a new person at once must
    # not make two people of one (the second insert fails and finds the first).
    __table_args__ = (
        UniqueConstraint("organisation_id", "email_index"),
        UniqueConstraint("organisation_id", "phone_index"),
        UniqueConstraint("organisation_id", "personnummer_index"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class SubjectAttributeRow(Base):
    """One value of one data category about a subject, encrypted under that category's key."""

    __tablename__ = "subject_attributes"
    __table_args__ = (UniqueConstraint("subject_id", "category"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(200))
    sensitive: Mapped[bool] = mapped_column(Boolean)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    value_token: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ConsentEventRow(Base):
    """One entry of the consent ledger; rows are only ever inserted (the ledger is the record).

    ``sequence`` is the ledger's order, given by the database so writers never wait on
    each other for it; ``categories`` is a JSON list of register category keys. Nothing
    here is personal data beyond the subject's pseudonymous id.
    """

    __tablename__ = "consent_events"

    sequence: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    categories: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(20))
    notice_id: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    event_time: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(200))
    terms: Mapped[str] = mapped_column(String(64))


class ConsentStateRow(Base):
    """The current consent of one subject to one purpose: the ledger folded, rebuildable."""

    __tablename__ = "consent_states"

    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    categories: Mapped[str] = mapped_column(Text)
    since: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    policy_version: Mapped[int | None] = mapped_column(Integer)
    notice_id: Mapped[str] = mapped_column(String(200))
    terms: Mapped[str] = mapped_column(String(64))


class StaffSessionRow(Base):
    """A staff console session: the keyed hash of its secret, never the secret (ADR 0013)."""

    __tablename__ = "staff_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    credential_stamp: Mapped[str] = mapped_column(String(64))


class RequestRow(IdentityColumns, Base):
    """A data subject request: its lifecycle in plain columns, who it is from encrypted.

    The requester's identifiers are tokens with blind indexes, as on ``subjects``
    (one master key per row, ``key_id``); ``details`` is what the person wrote.
    """

    __tablename__ = "requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    extended_due_on: Mapped[dt.date] = mapped_column(Date)
    target_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    registered_by: Mapped[str] = mapped_column(String(200))
    extended_because: Mapped[str | None] = mapped_column(Text)
    rejected_because: Mapped[str | None] = mapped_column(Text)
    verification_method: Mapped[str | None] = mapped_column(String(20))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verification_reason: Mapped[str | None] = mapped_column(Text)
    details_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    corrections_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    purpose: Mapped[str | None] = mapped_column(String(200))
    notified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    erasure_scope: Mapped[str | None] = mapped_column(Text)
    """JSON of the categories per system a withdrawal's erasure is limited to (no personal data)."""


class ProcessingLimitRow(Base):
    """A restriction, objection or suppression on the person a request is from.

    Who that is stays on the request (its identifiers' blind indexes are what a lookup
    matches), so a limit holds no personal data of its own.
    """

    __tablename__ = "processing_limits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    lifted_because: Mapped[str | None] = mapped_column(Text)


class RequestCodeRow(Base):
    """The e-mail code last sent for a request: its keyed hash and how it was used."""

    __tablename__ = "request_codes"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    sends: Mapped[int] = mapped_column(Integer)


class RequestStepRow(Base):
    """One system's part of a request: a connector run or a manual task, and its result.

    The result (rows found, or what an erasure did and kept) is encrypted under
    ``key_id``: an access step's result is the person's data.
    """

    __tablename__ = "request_steps"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    instructions: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(64), index=True)
    result_token: Mapped[bytes | None] = mapped_column(LargeBinary)


class RequestAnswerRow(Base):
    """The file answering an access or portability request: encrypted, fetched by a secret link.

    Only the keyed hash of the link's secret is stored; the link expires and allows a
    limited number of downloads.
    """

    __tablename__ = "request_answers"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    downloads_left: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    file_token: Mapped[bytes] = mapped_column(LargeBinary)


class EventRow(Base):
    """An event people sign up for: operational data, no personal data (ADR 0024)."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class EventSignupRow(Base):
    """That a subject signed up for an event; what they gave is on ``subject_attributes``."""

    __tablename__ = "event_signups"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    signed_up_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    language: Mapped[str] = mapped_column(String(16))


class MailPixelRow(Base):
    """An e-mail open pixel: only the hash of its random token, never the token itself."""

    __tablename__ = "mail_pixels"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    mailing: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class EmailOpenRow(Base):
    """One recorded open of a mail (email_engagement), made only under consent."""

    __tablename__ = "email_opens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    token_hash: Mapped[str] = mapped_column(
        ForeignKey("mail_pixels.token_hash", ondelete="CASCADE"), index=True
    )
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
