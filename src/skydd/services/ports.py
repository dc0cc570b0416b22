"""What the services need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from skydd.domain.access_answer import AnsweredRequest, FoundSystem
from skydd.domain.audit import AuditEvent, ChainHead, UnreadableEvent
from skydd.domain.breaches import Breach
from skydd.domain.consent import ConsentEvent, ConsentEventId, ConsentState
from skydd.domain.credentials import ApiToken, StaffUser, TokenId, TokenOwner, UserId
from skydd.domain.events import Event, EventId, Signup
from skydd.domain.identifiers import Identifier
from skydd.domain.ids import OrganisationId, RegisterVersionId
from skydd.domain.masking import ErasurePolicy, ErasureResult
from skydd.domain.policy import PublishedPolicy
from skydd.domain.processing_limits import ProcessingLimit
from skydd.domain.rectification import Correction, RectificationResult
from skydd.domain.register import Register
from skydd.domain.request_notices import DueRequest, KeptRecord
from skydd.domain.request_work import RequestStep, StepId
from skydd.domain.requesters import Requester
from skydd.domain.requests import DataSubjectRequest, RequestId
from skydd.domain.sessions import StaffSession
from skydd.domain.subjects import Subject, SubjectAttribute, SubjectId
from skydd.domain.verification import CodeChallenge


@dataclass(frozen=True)
class StoredRegister:
    """A register version as stored: its number, hash and the register itself."""

    id: RegisterVersionId
    organisation_id: OrganisationId
    number: int
    content_hash: str
    loaded_at: dt.datetime
    source: str
    register: Register


@dataclass(frozen=True)
class RegisterHead:
    """An organisation and the id of its newest stored register version (None before any).

    Cheap to read on every request: comparing the id with a cached one tells whether
    anything derived from the register must be recomputed.
    """

    organisation_key: str
    version_id: RegisterVersionId | None


class OrganisationRepository(Protocol):
    """Organisations known to this deployment."""

    def id_for(self, key: str) -> OrganisationId | None:
        """The id of the organisation with ``key``, if stored."""
        ...

    def add(self, key: str, name: str, at: dt.datetime) -> OrganisationId:
        """Store a new organisation."""
        ...

    def keys(self) -> list[str]:
        """Every stored organisation key, sorted."""
        ...


class RegisterRepository(Protocol):
    """Stored register versions, newest last."""

    def latest(self, organisation_id: OrganisationId) -> StoredRegister | None:
        """The newest stored register of an organisation."""
        ...

    def get(self, version_id: RegisterVersionId) -> StoredRegister:
        """One stored register version by id."""
        ...

    def heads(self, organisation_key: str | None, limit: int) -> list[RegisterHead]:
        """Organisations by key with their newest version id, in one query.

        Only the organisation with ``organisation_key`` when given, else up to ``limit``.
        """
        ...

    def add(
        self,
        organisation_id: OrganisationId,
        register: Register,
        content_hash: str,
        source: str,
        at: dt.datetime,
    ) -> StoredRegister:
        """Store a new register version with the next number."""
        ...


class PolicyRepository(Protocol):
    """Published policy versions; append-only."""

    def latest(self, organisation_id: OrganisationId) -> PublishedPolicy | None:
        """The newest published version."""
        ...

    def get(self, organisation_id: OrganisationId, number: int) -> PublishedPolicy | None:
        """One published version by number."""
        ...

    def numbers(self, organisation_id: OrganisationId) -> list[int]:
        """The numbers of every published version, ascending."""
        ...

    def register_version_of(
        self, organisation_id: OrganisationId, number: int
    ) -> RegisterVersionId:
        """The register version a published policy was rendered from."""
        ...

    def add(
        self,
        organisation_id: OrganisationId,
        register_version_id: RegisterVersionId,
        policy: PublishedPolicy,
    ) -> None:
        """Store a new version with all its renditions."""
        ...


class AuditRepository(Protocol):
    """The audit log's hash chain; append-only, read in sequence order."""

    def lock_head(self) -> ChainHead:
        """The chain's head, locked until the transaction ends so no other writer forks it."""
        ...

    def append(self, event: AuditEvent) -> None:
        """Store ``event``, sealed after the head :meth:`lock_head` returned."""
        ...

    def head(self) -> AuditEvent | UnreadableEvent | None:
        """The newest event, if any."""
        ...

    def page(
        self,
        after: int,
        limit: int,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[AuditEvent | UnreadableEvent]:
        """Up to ``limit`` events after ``after``, in order; optionally in [since, until)."""
        ...


class BreachRepository(Protocol):
    """The breach register (Art. 33(5)), looked up by reference."""

    def get(self, reference: str) -> Breach | None:
        """The breach with ``reference``, if any."""
        ...

    def list_all(self) -> list[Breach]:
        """Every breach, oldest first."""
        ...

    def count_with_prefix(self, prefix: str) -> int:
        """How many references start with ``prefix`` (e.g. ``BR-2026-``)."""
        ...

    def add(self, breach: Breach) -> None:
        """Store a new breach."""
        ...

    def save(self, breach: Breach) -> None:
        """Store the changed fields of a breach already stored."""
        ...


class StaffUserRepository(Protocol):
    """Staff accounts."""

    def get(self, user_id: UserId) -> StaffUser | None:
        """The user with ``user_id``, if any."""
        ...

    def by_username(self, username: str) -> StaffUser | None:
        """The user named ``username``, if any."""
        ...

    def list_all(self) -> list[StaffUser]:
        """Every user, by user name."""
        ...

    def add(self, user: StaffUser) -> None:
        """Store a new user."""
        ...

    def save(self, user: StaffUser) -> None:
        """Store the changed fields of a stored user."""
        ...


class ApiTokenRepository(Protocol):
    """API tokens, by public token id."""

    def by_token_id(self, token_id: TokenId) -> ApiToken | None:
        """The token with public id ``token_id``, if any."""
        ...

    def with_owner(self, token_id: TokenId) -> tuple[ApiToken, TokenOwner | None] | None:
        """The token and its owner's status (None when ownerless or gone), in one query."""
        ...

    def list_all(self) -> list[ApiToken]:
        """Every token, oldest first."""
        ...

    def add(self, token: ApiToken) -> None:
        """Store a new token."""
        ...

    def save(self, token: ApiToken) -> None:
        """Store a token's revocation and last use."""
        ...


class SubjectRepository(Protocol):
    """Data subjects, their fields encrypted at rest and identifiers blind-indexed."""

    def find(self, organisation_id: OrganisationId, identifier: Identifier) -> list[Subject]:
        """The subjects with ``identifier`` (normally one)."""
        ...

    def get(self, organisation_id: OrganisationId, subject_id: SubjectId) -> Subject | None:
        """The subject with ``subject_id`` in the organisation, if any."""
        ...

    def count(self, organisation_id: OrganisationId) -> int:
        """How many subjects the organisation has."""
        ...

    def add(self, organisation_id: OrganisationId, subject: Subject) -> bool:
        """Store a new subject; False when another has one of its identifiers already."""
        ...

    def device(
        self, organisation_id: OrganisationId, visitor_id: uuid.UUID, now: dt.datetime
    ) -> Subject:
        """The subject of a browser's random visitor id, found or added; the id is not stored."""
        ...

    def save(self, subject: Subject) -> None:
        """Store a changed subject."""
        ...

    def attributes(self, subject_id: SubjectId) -> list[SubjectAttribute]:
        """The subject's category values."""
        ...

    def set_attribute(self, subject_id: SubjectId, attribute: SubjectAttribute) -> None:
        """Store a category value, replacing the earlier one."""
        ...

    def remove_attributes(self, subject_id: SubjectId, categories: Iterable[str]) -> int:
        """Delete the subject's values of ``categories``; how many there were."""
        ...


class RequestRepository(Protocol):
    """Data subject requests: the lifecycle in the clear, the requester encrypted."""

    def add(
        self,
        organisation_id: OrganisationId,
        request: DataSubjectRequest,
        requester: Requester,
        at: dt.datetime,
    ) -> None:
        """Store a new request and who it is from."""
        ...

    def save(self, request: DataSubjectRequest) -> None:
        """Store a request's changed lifecycle."""
        ...

    def get(
        self, organisation_id: OrganisationId, request_id: RequestId
    ) -> DataSubjectRequest | None:
        """The request with ``request_id`` in the organisation, if any."""
        ...

    def by_reference(
        self, organisation_id: OrganisationId, reference: str
    ) -> DataSubjectRequest | None:
        """The request with ``reference`` in the organisation, if any."""
        ...

    def open_due_by(
        self, organisation_id: OrganisationId, last_day: dt.date | None
    ) -> list[DataSubjectRequest]:
        """Open requests due on or before ``last_day`` (every open one if None), soonest first."""
        ...

    def unnotified(self, organisation_id: OrganisationId) -> list[DataSubjectRequest]:
        """Completed requests whose person has not been told yet."""
        ...

    def requester(self, request_id: RequestId) -> Requester:
        """Who the request is from, decrypted."""
        ...

    def code(self, request_id: RequestId) -> CodeChallenge | None:
        """The code last sent for the request, if any."""
        ...

    def save_code(self, request_id: RequestId, challenge: CodeChallenge) -> None:
        """Store the request's current code challenge."""
        ...

    def drop_code(self, request_id: RequestId) -> None:
        """Forget the request's code."""
        ...


class StaffSessionRepository(Protocol):
    """Staff console sessions, found by the keyed hash of their secret."""

    def by_secret_hash(self, secret_hash: str) -> StaffSession | None:
        """The session whose secret hashes to ``secret_hash``, if any."""
        ...

    def of_user(self, user_id: UserId) -> list[StaffSession]:
        """Every stored session of a user, oldest first."""
        ...

    def add(self, session: StaffSession) -> None:
        """Store a new session."""
        ...

    def save(self, session: StaffSession) -> None:
        """Store a session's last use and revocation."""
        ...

    def delete_ended(self, user_id: UserId, now: dt.datetime, idle_since: dt.datetime) -> int:
        """Delete a user's sessions revoked, expired at ``now`` or unused since ``idle_since``."""
        ...


class PasswordHasher(Protocol):
    """A slow password hash (argon2id in storage)."""

    def hash(self, password: str) -> str:
        """The encoded hash of ``password``."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches ``password_hash``."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash should be recomputed with today's parameters."""
        ...


class TokenHasher(Protocol):
    """A fast keyed hash of a token's secret (HMAC-SHA256 in storage)."""

    def digest(self, secret: str) -> str:
        """The hex digest stored for ``secret``."""
        ...


class PolicyRenderer(Protocol):
    """Turns a register into the published policy text (HTML or Markdown)."""

    def render(self, register: Register, language: str, fmt: str) -> str:
        """The policy of ``register`` in ``language`` and ``fmt`` (``html``/``markdown``)."""
        ...


class MailMessage(Protocol):
    """A message ready to send: subject, plain text and optionally an HTML alternative."""

    @property
    def subject(self) -> str:
        """The subject line."""
        ...

    @property
    def text(self) -> str:
        """The plain-text body."""
        ...

    @property
    def html(self) -> str | None:
        """The HTML alternative, if any."""
        ...


class Mailer(Protocol):
    """Delivers mail; raises ``MailNotSent`` when the server does not take it."""

    def send(self, sender: str, to: str, message: MailMessage) -> None:
        """Send ``message`` to ``to`` from ``sender``."""
        ...

    def close(self) -> None:
        """Close what the mailer keeps open between messages."""
        ...


class RequestMail(Protocol):
    """Writes the messages of data subject requests in the person's language."""

    def verification_code(
        self, register: Register, language: str, code: str, valid_minutes: int
    ) -> MailMessage:
        """The mail carrying a verification code."""
        ...

    def completion(
        self,
        register: Register,
        request: DataSubjectRequest,
        answer: AnswerLink | None,
        kept: Sequence[KeptRecord],
    ) -> MailMessage:
        """The mail saying the request is done: the download link, or what was kept."""
        ...

    def extension(self, register: Register, request: DataSubjectRequest) -> MailMessage:
        """The notice that the deadline is extended (Art. 12(3))."""
        ...

    def rejection(self, register: Register, request: DataSubjectRequest) -> MailMessage:
        """The notice that the request is refused (Art. 12(4))."""
        ...

    def restriction_lifted(
        self, register: Register, request: DataSubjectRequest, reason: str
    ) -> MailMessage:
        """Art. 18(3): the restriction is lifted, and why; sent before it is."""
        ...

    def reminder(
        self, language: str, overdue: Sequence[DueRequest], due_soon: Sequence[DueRequest]
    ) -> MailMessage:
        """The daily reminder to staff of requests overdue and due soon."""
        ...

    def access_package(
        self,
        register: Register,
        language: str,
        request: AnsweredRequest,
        found: Sequence[FoundSystem],
    ) -> bytes:
        """The zip answering an access or portability request."""
        ...


@dataclass(frozen=True)
class AnswerLink:
    """Where the person fetches their answer, until when and how many times."""

    url: str
    expires_on: dt.date
    downloads: int


class PersonalDataSystems(Protocol):
    """The organisation's systems skydd reaches itself (its own databases)."""

    def connected(self) -> frozenset[str]:
        """The keys of the systems skydd can reach."""
        ...

    def access(
        self, register: Register, system_key: str, identities: Mapping[str, Sequence[str]]
    ) -> FoundSystem:
        """What the system holds about the person."""
        ...

    def erase(
        self,
        register: Register,
        system_key: str,
        identities: Mapping[str, Sequence[str]],
        policy: ErasurePolicy,
    ) -> ErasureResult:
        """Mask the person's data in the system; what was masked and kept."""
        ...

    def rectify(
        self,
        register: Register,
        system_key: str,
        identities: Mapping[str, Sequence[str]],
        corrections: Sequence[Correction],
    ) -> RectificationResult:
        """Write the corrected values to every field of their categories; old and new."""
        ...

    def restrict(
        self,
        register: Register,
        system_key: str,
        identities: Mapping[str, Sequence[str]],
        *,
        restricted: bool,
    ) -> int:
        """Set (or clear) the system's restriction flag on the person's rows; rows changed."""
        ...


class ConsentRepository(Protocol):
    """The consent ledger (append-only) and the current state folded from it."""

    def append(self, organisation_id: OrganisationId, event: ConsentEvent) -> None:
        """Add ``event`` at the end of the ledger."""
        ...

    def event(self, record_id: ConsentEventId) -> ConsentEvent | None:
        """The ledger entry ``record_id``, if the ledger holds it."""
        ...

    def consenting(
        self, organisation_id: OrganisationId, purpose: str, identifiers: Sequence[Identifier]
    ) -> list[bool]:
        """For each identifier, whether its person consents to ``purpose`` now."""
        ...

    def state(self, subject_id: SubjectId, purpose: str) -> ConsentState | None:
        """The subject's current consent to ``purpose``, if any was ever recorded."""
        ...

    def states_of(self, subject_id: SubjectId) -> list[ConsentState]:
        """The subject's current consent to every purpose recorded."""
        ...

    def save_state(self, organisation_id: OrganisationId, state: ConsentState) -> None:
        """Store the subject's state for the purpose, replacing the one before."""
        ...

    def events(self, organisation_id: OrganisationId) -> Iterator[ConsentEvent]:
        """The whole ledger of the organisation, in order."""
        ...

    def events_of(self, subject_id: SubjectId) -> list[ConsentEvent]:
        """One subject's events, in ledger order."""
        ...

    def all_states(self, organisation_id: OrganisationId) -> list[ConsentState]:
        """Every state of the organisation."""
        ...

    def replace_states(
        self, organisation_id: OrganisationId, states: Iterable[ConsentState]
    ) -> None:
        """Drop the organisation's projection and store ``states`` instead."""
        ...


class EventRepository(Protocol):
    """Events people sign up for, and who signed up (what they gave is on the subject)."""

    def add(self, organisation_id: OrganisationId, event: Event) -> None:
        """Store a new event; a key the organisation already uses is a conflict."""
        ...

    def by_key(self, organisation_id: OrganisationId, key: str) -> Event | None:
        """The organisation's event ``key``, if any."""
        ...

    def all(self, organisation_id: OrganisationId) -> list[tuple[Event, int]]:
        """Every event of the organisation by date, with how many signed up."""
        ...

    def save_signup(self, signup: Signup) -> bool:
        """Record a sign-up; True when new, else the earlier one keeps its time."""
        ...

    def signups(self, event_id: EventId) -> list[Signup]:
        """Who signed up for the event, in the order they did."""
        ...

    def of_subject(self, subject_id: SubjectId) -> list[Event]:
        """The events a subject signed up for, by date."""
        ...


@dataclass(frozen=True)
class MailPixel:
    """An e-mail open pixel as stored: the hash of its token, whom and which mailing."""

    token_hash: str
    organisation_id: OrganisationId
    subject_id: SubjectId
    mailing: str
    created_at: dt.datetime


class PixelRepository(Protocol):
    """E-mail open pixels, by the hash of their token, and the opens recorded."""

    def add(self, pixel: MailPixel) -> None:
        """Store a new pixel."""
        ...

    def by_hash(self, token_hash: str) -> MailPixel | None:
        """The pixel whose token hashes to ``token_hash``, if any."""
        ...

    def add_open(self, token_hash: str, at: dt.datetime) -> None:
        """Record one open of the pixel."""
        ...

    def opens_of(self, subject_id: SubjectId) -> list[tuple[str, dt.datetime]]:
        """The subject's recorded opens: (mailing, when), oldest first."""
        ...


class ProcessingLimitRepository(Protocol):
    """Restrictions, objections and the suppression list, by the request that set them."""

    def add(self, organisation_id: OrganisationId, limits: Iterable[ProcessingLimit]) -> None:
        """Store new limits."""
        ...

    def save(self, limit: ProcessingLimit) -> None:
        """Store a limit's changed state (lifted)."""
        ...

    def of_request(self, request_id: RequestId) -> list[ProcessingLimit]:
        """The limits a request set."""
        ...

    def of_person(
        self, organisation_id: OrganisationId, identifiers: Iterable[Identifier]
    ) -> list[ProcessingLimit]:
        """Every limit set by a request naming any of ``identifiers``, lifted ones too."""
        ...


class RequestWorkRepository(Protocol):
    """The steps of requests and their answer files."""

    def add_steps(self, steps: list[RequestStep]) -> None:
        """Store a request's planned steps."""
        ...

    def steps(self, request_id: RequestId) -> list[RequestStep]:
        """The request's steps."""
        ...

    def save_step(self, step: RequestStep, result: str | None = None) -> None:
        """Store a step's new state, and its result when given."""
        ...

    def result(self, step_id: StepId) -> str | None:
        """A step's stored result."""
        ...

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
        """Store the answer file of a request."""
        ...

    def issue_link(
        self, request_id: RequestId, secret_hash: str, *, expires_at: dt.datetime, downloads: int
    ) -> bool:
        """Point a new link at the request's answer, voiding any earlier; False without one."""
        ...

    def take_answer(self, secret_hash: str, now: dt.datetime) -> tuple[RequestId, bytes] | None:
        """The answer this secret opens, counting a download; None when spent or expired."""
        ...


class ReceiptSigner(Protocol):
    """Signs the receipts a person keeps of consent events, and checks them later.

    A receipt holds the event's claims and a signature by a key of the organisation,
    so the person (or anyone they show it to) can prove what was recorded, and a
    changed receipt is refused.
    """

    def sign(self, claims: Mapping[str, object]) -> str:
        """The receipt of ``claims`` (a compact JWS), under the organisation's current key."""
        ...

    def verify(self, receipt: str) -> dict[str, object]:
        """The claims of a genuine receipt; ``InvalidInput`` if forged, malformed or unknown.

        Any key the organisation still holds is accepted, so receipts outlive rotation.
        """
        ...

    def public_keys(self) -> dict[str, object]:
        """A JWKS (``{"keys": [...]}``) of every key that may have signed a receipt.

        Published so others can verify receipts without asking skydd.
        """
        ...


class LinkSigner(Protocol):
    """Signs the links mailed to a person (confirm, unsubscribe, renew) and checks them.

    A link is the capability to do one thing for one person, so its claims name the
    thing (``purpose_of_link``) and hold pseudonymous ids only, never an address.
    """

    def sign(
        self, purpose_of_link: str, claims: Mapping[str, str], expires: dt.datetime | None
    ) -> str:
        """A URL-safe token of ``claims`` for ``purpose_of_link``; ``None``: it never expires."""
        ...

    def verify(self, purpose_of_link: str, token: str, now: dt.datetime) -> dict[str, str]:
        """The claims of a genuine token; :class:`InvalidLink` or :class:`LinkExpired` if not.

        Any key the deployment still holds is accepted, so links outlive rotation.
        """
        ...


class NewsletterMail(Protocol):
    """Writes the mail of newsletter subscriptions and consent renewals in the reader's language."""

    def confirmation(
        self, register: Register, purpose: str, language: str, url: str, expires_at: dt.datetime
    ) -> MailMessage:
        """Double opt-in: the link that confirms a subscription, and until when it works."""
        ...

    def renewal(
        self, register: Register, purpose: str, language: str, url: str, expires_at: dt.datetime
    ) -> MailMessage:
        """The purpose has changed since consent was given: the link that renews it."""
        ...

    def welcome(
        self, register: Register, purpose: str, language: str, unsubscribe_url: str
    ) -> MailMessage:
        """The first newsletter mail, with the one-click unsubscribe of RFC 8058."""
        ...
