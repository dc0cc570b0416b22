"""Settings from the environment (``SKYDD_<SECTION>__<FIELD>``), built once and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class DatabaseSettings(BaseModel):
    """Where skydd keeps its state."""

    url: str = Field(
        "sqlite:///var/skydd.db",
        description="SQLAlchemy URL: sqlite:///PATH (embedded default) or postgresql+psycopg://…",
    )
    echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")
    pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description=(
            "PostgreSQL connections each process keeps open (10 more when busy). Too few,"
            " and busy requests open and close a connection each: a new server process"
            " every time (bench/consent.py: 316 against 478 writes/s with 40)."
        ),
    )

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            msg = "database url must be sqlite:/// or postgresql+psycopg://"
            raise ValueError(msg)
        return value


class ServerSettings(BaseModel):
    """Where ``skydd serve`` listens."""

    host: str = Field("127.0.0.1", description="Interface to bind; loopback by default.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on.")
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL people reach skydd at (links, embed script)."
    )


class EmbedSettings(BaseModel):
    """Which sites may embed the policy and privacy center (P21) and record banner choices (P9)."""

    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Origins allowed as frame ancestors and to record cookie-banner choices,"
            " e.g. https://www.example.com."
        ),
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_only(cls, value: list[str]) -> list[str]:
        for origin in value:
            scheme, _, rest = origin.partition("://")
            if scheme not in ("http", "https") or not rest or "/" in rest or "*" in rest:
                msg = f"{origin!r} is not an origin like https://www.example.com"
                raise ValueError(msg)
        return value


class OrganisationSettings(BaseModel):
    """Which organisation this deployment publishes for."""

    key: str | None = Field(
        None, description="Register key of the organisation served; unset: the only one loaded."
    )
    register_path: Path | None = Field(
        None, description="Register folder loaded at start-up by `skydd serve --load`."
    )


class KeySettings(BaseModel):
    """Master keys for field encryption: from a file or a secret manager, never the database.

    Set one of the two. Neither is validated here: a pydantic error would quote the
    input, key material included; ``storage.keyring.load_keyring`` checks them.
    """

    file: Path | None = Field(
        None, description="Key file (JSON or `id:base64` lines) holding the master keys."
    )
    keyring: SecretStr | None = Field(
        None, description="The master keys inline, same formats, e.g. set by a secret manager."
    )


class ConsoleSettings(BaseModel):
    """Sessions of the staff console: how long one may sit idle, and live at all (ADR 0013)."""

    idle_timeout_minutes: int = Field(
        30,
        ge=1,
        le=24 * 60,
        description="Minutes without a request after which a console session ends.",
    )
    lifetime_hours: int = Field(
        12,
        ge=1,
        le=7 * 24,
        description="Hours after sign-in at which a console session ends, however active.",
    )

    @field_validator("lifetime_hours")
    @classmethod
    def _idle_within_lifetime(cls, lifetime_hours: int, info: ValidationInfo) -> int:
        idle = info.data.get("idle_timeout_minutes")
        if isinstance(idle, int) and idle > lifetime_hours * 60:
            msg = "the console idle timeout cannot be longer than the session lifetime"
            raise ValueError(msg)
        return lifetime_hours


class MailSettings(BaseModel):
    """The SMTP server skydd sends through: verification codes, notices, staff reminders."""

    host: str = Field("127.0.0.1", description="SMTP server host.")
    port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    sender: str | None = Field(
        None,
        description=(
            "From address; unset: the register's intake contact point (or its first one)."
        ),
    )
    starttls: bool = Field(False, description="Upgrade the connection with STARTTLS.")
    username: str | None = Field(None, description="SMTP user, when the server wants a login.")
    password: SecretStr | None = Field(None, description="SMTP password.")
    timeout_seconds: float = Field(10.0, gt=0, le=120, description="Connect and send timeout.")


class RequestSettings(BaseModel):
    """Data subject requests: the internal target and the public intake's limits."""

    target_days: int = Field(
        25, ge=1, le=30, description="Days from receipt staff aim to answer by (internal target)."
    )
    intake_per_hour: float = Field(
        10.0,
        gt=0,
        description="Requests and code checks one client address may make per hour (public).",
    )
    intake_burst: int = Field(
        5, ge=1, description="How many of those may come at once before the hourly rate applies."
    )
    download_days: int = Field(
        7, ge=1, le=90, description="Days an answer's download link stays valid."
    )
    downloads: int = Field(
        3, ge=1, le=100, description="How many times an answer may be downloaded."
    )


class ConsentSettings(BaseModel):
    """Consent collected by mail: how long the links of double opt-in and renewal work."""

    confirmation_hours: int = Field(
        72,
        ge=1,
        le=30 * 24,
        description="Hours a newsletter's confirmation link (double opt-in) stays valid.",
    )
    renewal_days: int = Field(
        30, ge=1, le=365, description="Days the link of a consent renewal request stays valid."
    )


class QueueSettings(BaseModel):
    """Where requests wait for a worker: SQLite beside the database, or Redis to scale out."""

    url: str | None = Field(
        None,
        description="redis://HOST:PORT/DB to share the queue between machines; unset: SQLite.",
    )
    path: Path = Field(
        Path("var/queue.db"), description="The SQLite queue file when no Redis URL is set."
    )
    poll_seconds: float = Field(
        0.005, gt=0, le=10, description="How often an idle SQLite worker looks for work."
    )
    resume_after_seconds: int = Field(
        300,
        ge=0,
        le=86400,
        description="A request left this long with work pending is queued again (lost worker).",
    )

    @field_validator("url")
    @classmethod
    def _redis_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            msg = "the queue URL must be a redis:// URL"
            raise ValueError(msg)
        return value


DEVELOPMENT_SECRET_KEY = "skydd-development-only-secret-key-never-in-production"  # noqa: S105
"""Used when no secret is set and ``production`` is off: public, so tokens hashed with
it protect nothing against someone holding the database. Production refuses it."""

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", DEVELOPMENT_SECRET_KEY})
MIN_SECRET_LENGTH = 32


class SecuritySettings(BaseModel):
    """The deployment's secret (keys the API token hashes) and whether it runs in production.

    In production an unset, short or placeholder secret refuses to start. The error
    never quotes the secret.
    """

    secret_key: SecretStr | None = Field(
        None,
        description="At least 32 random characters; keys the stored hashes of API tokens.",
    )
    production: bool = Field(
        default=False,
        description="Production mode: refuse to start without a strong secret_key.",
    )

    @field_validator("production")
    @classmethod
    def _strong_secret_in_production(cls, production: bool, info: ValidationInfo) -> bool:
        # A validator on ``production`` (declared after ``secret_key``): its error
        # quotes ``True``, never the secret, which a model validator would.
        if not production:
            return production
        secret = info.data.get("secret_key")
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else ""
        if value.strip().casefold() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH:
            msg = (
                "production needs SKYDD_SECURITY__SECRET_KEY: at least "
                f"{MIN_SECRET_LENGTH} random characters, not a placeholder"
            )
            raise ValueError(msg)
        return production

    def effective_secret_key(self) -> str:
        """The configured secret, or the public development one when unset."""
        if self.secret_key is None or not self.secret_key.get_secret_value():
            return DEVELOPMENT_SECRET_KEY
        return self.secret_key.get_secret_value()


class Settings(BaseSettings):
    """All of skydd's settings; every field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(
        env_prefix="SKYDD_", env_nested_delimiter="__", extra="forbid", env_file=None
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings, description="Database.")
    server: ServerSettings = Field(default_factory=ServerSettings, description="HTTP server.")
    embed: EmbedSettings = Field(default_factory=EmbedSettings, description="Embedding (P21).")
    organisation: OrganisationSettings = Field(
        default_factory=OrganisationSettings, description="Organisation served."
    )
    keys: KeySettings = Field(default_factory=KeySettings, description="Encryption keys.")
    security: SecuritySettings = Field(
        default_factory=SecuritySettings, description="Secret key and production mode."
    )
    console: ConsoleSettings = Field(
        default_factory=ConsoleSettings, description="Staff console sessions."
    )
    mail: MailSettings = Field(default_factory=MailSettings, description="Outgoing mail.")
    queue: QueueSettings = Field(default_factory=QueueSettings, description="Work queue.")
    connections: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Database URL of each system with datasets, by system key (JSON object).",
    )
    requests: RequestSettings = Field(
        default_factory=RequestSettings, description="Data subject requests."
    )
    consent: ConsentSettings = Field(
        default_factory=ConsentSettings, description="Consent collected by mail."
    )

    def public_view(self) -> dict[str, Any]:
        """What ``skydd config show`` may print: everything; secrets dump masked."""
        return self.model_dump(mode="json")
