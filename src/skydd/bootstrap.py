"""The composition root: settings → engine → unit of work → services, wired once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from skydd.config import Settings
from skydd.connectors.sql_systems import SqlSystems
from skydd.documents.newsletter_mail import NewsletterMailWriter
from skydd.documents.policy_rendering import PolicyRendering
from skydd.documents.request_mail import RequestMailWriter
from skydd.domain.clock import Clock
from skydd.mail.smtp import SmtpMailer
from skydd.services.consent import Applied, ConsentWrite, record_consent_writes
from skydd.services.group_commit import GroupCommit, LoopGroupCommit, ThreadGroupCommit
from skydd.services.newsletter import Newsletters
from skydd.services.notices import Postman
from skydd.services.ports import (
    LinkSigner,
    Mailer,
    PasswordHasher,
    PolicyRenderer,
    ReceiptSigner,
    RequestMail,
    TokenHasher,
)
from skydd.services.register import RoleCache
from skydd.services.request_execution import Execution
from skydd.services.request_verification import CodeMail
from skydd.services.unit_of_work import UnitOfWork
from skydd.storage.engine import BUSY_TIMEOUT_MS, make_engine, write_gate
from skydd.storage.fast_reads import FastReads
from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.keyring import KeyringError, load_keyring
from skydd.storage.passwords import Argon2PasswordHasher, HmacTokenHasher
from skydd.storage.receipts import JwsReceipts
from skydd.storage.repositories.registers import RegisterCache
from skydd.storage.signed_links import HmacLinks
from skydd.storage.unit_of_work import SqlUnitOfWork
from skydd.storage.write_gate import locked_error


class SystemClock:
    """The real clock; the only place skydd reads the time."""

    def now(self) -> dt.datetime:
        """The current moment in UTC."""
        return dt.datetime.now(dt.UTC)  # noqa: TID251 - the one real clock

    def today(self) -> dt.date:
        """Today's date in UTC."""
        return self.now().date()


@dataclass
class Container:
    """Everything an entrypoint needs, built from settings."""

    settings: Settings
    engine: Engine
    clock: Clock
    renderer: PolicyRenderer
    session_factory: sessionmaker[Session] = field(repr=False)
    password_hasher: PasswordHasher = field(repr=False)
    """argon2id for staff passwords (ADR 0011); shared by the CLI, API and web."""
    token_hasher: TokenHasher = field(repr=False)
    """The keyed HMAC of API token secrets, under the deployment's secret key."""
    mailer: Mailer = field(repr=False)
    """Outgoing mail through the configured SMTP server."""
    request_mail: RequestMail = field(repr=False)
    """Writes the mail of data subject requests."""
    systems: SqlSystems = field(repr=False)
    """The organisation's own databases, reached through the SQL connector."""
    register_cache: RegisterCache = field(default_factory=RegisterCache, repr=False)
    """Validated registers by content hash, shared by every unit of work."""
    role_cache: RoleCache = field(default_factory=RoleCache, repr=False)
    """The served organisation's roles by newest register version, shared by every request."""
    _field_crypto: FieldCrypto | None = field(default=None, repr=False)
    _receipts: ReceiptSigner | None = field(default=None, repr=False)
    _links: LinkSigner | None = field(default=None, repr=False)
    fast_reads: FastReads | None = field(default=None, repr=False)
    """Per-request reads outside a transaction (token lookup, newest register version)."""
    _consent_writes: GroupCommit[ConsentWrite, Applied] | None = field(default=None, repr=False)

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one transaction per ``with``)."""
        return SqlUnitOfWork(
            self.session_factory, self.register_cache, self.field_crypto, self.fast_reads
        )

    def field_crypto(self) -> FieldCrypto:
        """The cipher and blind index of the configured keys, loaded on first use.

        Loaded lazily so commands that touch no personal data run without keys; the
        first one that does fails with a clear ``KeyringError``.
        """
        if self._field_crypto is None:
            keys = self.settings.keys
            inline = keys.keyring.get_secret_value() if keys.keyring is not None else None
            self._field_crypto = FieldCrypto.of(load_keyring(keys.file, inline))
        return self._field_crypto

    @property
    def receipts(self) -> ReceiptSigner:
        """Signs and checks consent receipts with keys derived from the configured keyring.

        Loaded on first use, like :meth:`field_crypto` (whose keyring it shares), so
        commands that sign nothing run without keys.
        """
        if self._receipts is None:
            self._receipts = JwsReceipts(self.field_crypto().cipher.keyring)
        return self._receipts

    @property
    def links(self) -> LinkSigner:
        """Signs and checks the links mailed to people, with a key derived from the keyring.

        Loaded on first use, like :attr:`receipts`.
        """
        if self._links is None:
            self._links = HmacLinks(self.field_crypto().cipher.keyring)
        return self._links

    @property
    def consent_writes(self) -> GroupCommit[ConsentWrite, Applied]:
        """Consents recorded many to a transaction (ADR 0027), signed by their callers.

        On SQLite the batches run in the event loop that received them, elsewhere on a
        thread of their own.

        Made on first use; :meth:`close` finishes what is queued.
        """
        if self._consent_writes is None:
            run = partial(
                record_consent_writes,
                self.uow,
                self.clock,
                self.organisation_key,
                self.role_cache,
            )
            gate = write_gate(self.engine)
            self._consent_writes = (
                LoopGroupCommit(
                    run, turn=gate, timeout=BUSY_TIMEOUT_MS / 1000, timeout_error=locked_error
                )
                if gate is not None
                else ThreadGroupCommit(run, name="consent-writer")
            )
        return self._consent_writes

    def newsletters(self) -> Newsletters:
        """What subscribing, confirming, unsubscribing and renewing consent need."""
        consent = self.settings.consent
        return Newsletters(
            mailer=self.mailer,
            writer=NewsletterMailWriter(),
            links=self.links,
            receipts=self.receipts,
            public_url=self.settings.server.public_url,
            confirm_hours=consent.confirmation_hours,
            renewal_days=consent.renewal_days,
            sender=self.settings.mail.sender,
        )

    def execution(self) -> Execution:
        """What running a request needs, from this deployment's parts and settings."""
        requests = self.settings.requests
        return Execution(
            systems=self.systems,
            hasher=self.token_hasher,
            postman=self.postman(),
            public_url=self.settings.server.public_url,
            download_days=requests.download_days,
            downloads=requests.downloads,
        )

    def postman(self) -> Postman:
        """Request mail: written in the person's language, sent through the SMTP server."""
        return Postman(self.mailer, self.request_mail, self.settings.mail.sender)

    def code_mail(self) -> CodeMail:
        """What sending a verification code needs, from this deployment's parts."""
        return CodeMail(self.token_hasher, self.postman())

    @property
    def organisation_key(self) -> str | None:
        """The organisation this deployment serves, if configured."""
        return self.settings.organisation.key

    def close(self) -> None:
        """Release database and mail server connections."""
        if self._consent_writes is not None:
            self._consent_writes.close()
        if self.fast_reads is not None:
            self.fast_reads.close()
        self.systems.close()
        self.mailer.close()
        self.engine.dispose()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    """Wire skydd for ``settings``; tests pass a fake clock.

    In production the keys are loaded now, so a missing or broken key file stops
    skydd at start instead of failing the first request that reads personal data.
    """
    keys = settings.keys
    if settings.security.production and keys.file is None and keys.keyring is None:
        msg = "production needs encryption keys: set SKYDD_KEYS__FILE or SKYDD_KEYS__KEYRING"
        raise KeyringError(msg)
    engine = make_engine(
        settings.database.url,
        echo=settings.database.echo,
        pool_size=settings.database.pool_size,
    )
    container = Container(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        renderer=PolicyRendering(),
        session_factory=sessionmaker(engine, expire_on_commit=False),
        fast_reads=FastReads(engine),
        password_hasher=Argon2PasswordHasher(),
        token_hasher=HmacTokenHasher.from_settings(settings.security),
        mailer=SmtpMailer(settings.mail),
        request_mail=RequestMailWriter(),
        systems=SqlSystems(
            {key: url.get_secret_value() for key, url in settings.connections.items()}
        ),
    )
    if settings.security.production:
        container.field_crypto()
    return container
