"""The fixed legal terms of the published policy, as English msgids (P3–P19).

The register stores enums (``legitimate_interests``, ``scc``); a person reads
"Berättigat intresse (artikel 6.1 f)". Each enum value maps here to an English
message id marked with :func:`N_`, so ``scripts/check_translations.py`` extracts it
and the renderer's catalog translates it. The domain itself never translates: it
has no catalog and does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from skydd.domain.cookies import CookieCategory, TrackerKind
from skydd.domain.organisation import ContactRole
from skydd.domain.processors import ProcessorService, TransferSafeguard
from skydd.domain.purposes import Art9Condition, Channel, LegalBasis
from skydd.domain.register import RecipientKind
from skydd.domain.retention import RetentionAction, RetentionTrigger
from skydd.domain.taxonomy import Art9Exposure, SpecialCategory


def N_(message: str) -> str:  # noqa: N802 - the marker name gettext tools look for
    """Mark ``message`` for extraction; it is translated where it is rendered."""
    return message


@dataclass(frozen=True)
class Cited:
    """A legal term and the article it comes from, both msgids."""

    label: str
    article: str | None = None


BASES: dict[LegalBasis, Cited] = {
    LegalBasis.CONSENT: Cited(N_("Consent"), N_("Art. 6(1)(a)")),
    LegalBasis.CONTRACT: Cited(N_("Performance of a contract"), N_("Art. 6(1)(b)")),
    LegalBasis.LEGAL_OBLIGATION: Cited(N_("Legal obligation"), N_("Art. 6(1)(c)")),
    LegalBasis.VITAL_INTERESTS: Cited(N_("Vital interests"), N_("Art. 6(1)(d)")),
    LegalBasis.PUBLIC_TASK: Cited(N_("Task in the public interest"), N_("Art. 6(1)(e)")),
    LegalBasis.LEGITIMATE_INTERESTS: Cited(N_("Legitimate interests"), N_("Art. 6(1)(f)")),
}

ART9_CONDITIONS: dict[Art9Condition, Cited] = {
    Art9Condition.EXPLICIT_CONSENT: Cited(N_("explicit consent"), N_("Art. 9(2)(a)")),
    Art9Condition.EMPLOYMENT_AND_SOCIAL_SECURITY: Cited(
        N_("obligations in employment and social security law"), N_("Art. 9(2)(b)")
    ),
    Art9Condition.VITAL_INTERESTS: Cited(
        N_("vital interests of a person unable to consent"), N_("Art. 9(2)(c)")
    ),
    Art9Condition.NOT_FOR_PROFIT_BODY: Cited(
        N_("activities of a not-for-profit body"), N_("Art. 9(2)(d)")
    ),
    Art9Condition.MADE_PUBLIC: Cited(
        N_("data the person has manifestly made public"), N_("Art. 9(2)(e)")
    ),
    Art9Condition.LEGAL_CLAIMS: Cited(N_("legal claims"), N_("Art. 9(2)(f)")),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: Cited(
        N_("substantial public interest"), N_("Art. 9(2)(g)")
    ),
    Art9Condition.HEALTH_OR_SOCIAL_CARE: Cited(N_("health or social care"), N_("Art. 9(2)(h)")),
    Art9Condition.PUBLIC_HEALTH: Cited(N_("public health"), N_("Art. 9(2)(i)")),
    Art9Condition.ARCHIVING_RESEARCH_STATISTICS: Cited(
        N_("archiving, research or statistics"), N_("Art. 9(2)(j)")
    ),
}

SPECIAL_CATEGORIES: dict[SpecialCategory, str] = {
    SpecialCategory.RACIAL_OR_ETHNIC_ORIGIN: N_("racial or ethnic origin"),
    SpecialCategory.POLITICAL_OPINIONS: N_("political opinions"),
    SpecialCategory.RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS: N_("religious or philosophical beliefs"),
    SpecialCategory.TRADE_UNION_MEMBERSHIP: N_("trade union membership"),
    SpecialCategory.GENETIC: N_("genetic data"),
    SpecialCategory.BIOMETRIC: N_("biometric data"),
    SpecialCategory.HEALTH: N_("health"),
    SpecialCategory.SEX_LIFE_OR_ORIENTATION: N_("sex life or sexual orientation"),
}

EXPOSURES: dict[Art9Exposure, str] = {
    Art9Exposure.IS_SPECIAL: N_("Special category of personal data (Art. 9):"),
    Art9Exposure.MAY_REVEAL: N_("May reveal special categories of personal data (Art. 9):"),
}

CHANNELS: dict[Channel, str] = {
    Channel.PHONE: N_("phone"),
    Channel.EMAIL: N_("e-mail"),
    Channel.SOCIAL_MEDIA: N_("social media"),
    Channel.WEBSITE: N_("our website"),
    Channel.WEB_FORM: N_("web forms"),
    Channel.EVENT: N_("events"),
    Channel.IN_PERSON: N_("in person"),
    Channel.POSTAL_MAIL: N_("post"),
    Channel.PRODUCT: N_("our products"),
    Channel.PRIVACY_CENTER: N_("the privacy center"),
    Channel.UNSUBSCRIBE_LINK: N_("the unsubscribe link in each e-mail"),
    Channel.COOKIE_BANNER: N_("the cookie settings"),
}

SERVICES: dict[ProcessorService, str] = {
    ProcessorService.FULFILMENT: N_("fulfilling our commitments"),
    ProcessorService.ANALYSIS: N_("analysis"),
    ProcessorService.STORAGE: N_("storage of data"),
    ProcessorService.EMAIL_SENDING: N_("sending e-mail"),
    ProcessorService.COMMUNICATION: N_("communication"),
    ProcessorService.COLLABORATION: N_("collaboration"),
    ProcessorService.CRM: N_("customer relationship management"),
    ProcessorService.BOOKKEEPING: N_("bookkeeping"),
    ProcessorService.BILLING: N_("invoicing"),
    ProcessorService.RECRUITMENT: N_("recruitment"),
    ProcessorService.AUTOMATION: N_("automation"),
    ProcessorService.HOSTING: N_("hosting"),
}

SAFEGUARDS: dict[TransferSafeguard, Cited] = {
    TransferSafeguard.ADEQUACY: Cited(
        N_("adequacy decision of the European Commission"), N_("Art. 45")
    ),
    TransferSafeguard.DPF: Cited(N_("EU–US Data Privacy Framework"), N_("Art. 45")),
    TransferSafeguard.SCC: Cited(N_("EU standard contractual clauses"), N_("Art. 46(2)(c)")),
    TransferSafeguard.BCR: Cited(N_("binding corporate rules"), N_("Art. 47")),
    TransferSafeguard.DEROGATION: Cited(N_("a derogation for a specific situation"), N_("Art. 49")),
    TransferSafeguard.NONE: Cited(N_("no safeguard")),
}

NO_SAFEGUARD = Cited(N_("no safeguard stated"))
"""Shown for a system hosted outside the EU/EEA whose register entry names no transfer."""

RECIPIENT_KINDS: dict[RecipientKind, str] = {
    RecipientKind.AUTHORITY: N_("public authority"),
    RecipientKind.CONTROLLER: N_("independent controller"),
    RecipientKind.FINANCIAL_INSTITUTION: N_("financial institution"),
}

CONTACT_ROLES: dict[ContactRole, str] = {
    ContactRole.DPO: N_("the data protection officer"),
    ContactRole.PRIVACY_REQUESTS: N_("requests about your personal data"),
    ContactRole.QUESTIONS: N_("questions"),
    ContactRole.SUPPORT: N_("support"),
    ContactRole.GENERAL: N_("general enquiries"),
}

TRACKER_KINDS: dict[TrackerKind, str] = {
    TrackerKind.COOKIE: N_("Cookie"),
    TrackerKind.PIXEL: N_("Pixel tag"),
    TrackerKind.LOCAL_STORAGE: N_("Local storage"),
    TrackerKind.SCRIPT: N_("Script"),
}

COOKIE_CATEGORIES: dict[CookieCategory, str] = {
    CookieCategory.STRICTLY_NECESSARY: N_("Strictly necessary"),
    CookieCategory.PREFERENCES: N_("Preferences"),
    CookieCategory.STATISTICS: N_("Statistics"),
    CookieCategory.MARKETING: N_("Marketing"),
}

SESSION_LIFETIME = N_("Session (until the browser is closed)")
"""A tracker that lives only as long as the browser session."""

NOT_STORED = N_("Not stored on your device")
"""A tracker with a zero lifetime, such as an e-mail open pixel."""

RETENTION_ACTIONS: dict[RetentionAction, str] = {
    RetentionAction.ERASE: N_("Erased"),
    RetentionAction.ANONYMISE: N_("Anonymised"),
    RetentionAction.ARCHIVE_THEN_ERASE: N_("Archived, then erased"),
}

KEPT_AFTER: dict[RetentionTrigger | None, str] = {
    RetentionTrigger.COLLECTED: N_("%(period)s after collection"),
    RetentionTrigger.LAST_ACTIVITY: N_("%(period)s after the last activity"),
    RetentionTrigger.CONTRACT_END: N_("%(period)s after the contract ends"),
    RetentionTrigger.APPLICATION_CLOSED: N_("%(period)s after the application is closed"),
    RetentionTrigger.EVENT_DATE: N_("%(period)s after the event"),
    RetentionTrigger.CONSENT_WITHDRAWN: N_("%(period)s after consent is withdrawn"),
    RetentionTrigger.UNSUBSCRIBED: N_("%(period)s after you unsubscribe"),
    RetentionTrigger.FISCAL_YEAR_END: N_("%(period)s after the end of the fiscal year"),
    RetentionTrigger.REQUEST_CLOSED: N_("%(period)s after the request is closed"),
    None: N_("%(period)s"),
}
"""How long, counted from which event: ``%(period)s`` is the rendered period."""

KEPT_UNTIL: dict[RetentionTrigger | None, str] = {
    RetentionTrigger.COLLECTED: N_("Not kept after collection"),
    RetentionTrigger.LAST_ACTIVITY: N_("Until the last activity"),
    RetentionTrigger.CONTRACT_END: N_("Until the contract ends"),
    RetentionTrigger.APPLICATION_CLOSED: N_("Until the application is closed"),
    RetentionTrigger.EVENT_DATE: N_("Until the event"),
    RetentionTrigger.CONSENT_WITHDRAWN: N_("Until consent is withdrawn"),
    RetentionTrigger.UNSUBSCRIBED: N_("Until you unsubscribe"),
    RetentionTrigger.FISCAL_YEAR_END: N_("Until the end of the fiscal year"),
    RetentionTrigger.REQUEST_CLOSED: N_("Until the request is closed"),
    None: N_("Not kept"),
}
"""A zero period: the data goes when the event happens."""

KEPT_UNDECIDED = N_("As long as the purpose requires")
"""No period in the register: the vague form the compliance lint reports (SKY030)."""
