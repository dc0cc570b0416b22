"""The words of the Art. 30 record in Swedish and English: one ``(sv, en)`` pair per term.

The record is read by the supervisory authority (IMY reads Swedish) and by
auditors who may not, so every enumerated term of the register has a name in
both languages here. The register's own prose (purpose names, descriptions)
is already localized in the register and is not repeated here.
"""

from __future__ import annotations

from skydd.domain.periods import Period
from skydd.domain.processors import TransferSafeguard
from skydd.domain.purposes import Art9Condition, Channel, LegalBasis
from skydd.domain.register import RecipientKind
from skydd.domain.retention import RetentionAction, RetentionTrigger, StatutoryHold
from skydd.domain.taxonomy import Art9Exposure, SpecialCategory

ROPA_LANGUAGES = ("sv", "en")
"""The languages the record's labels exist in."""

Term = tuple[str, str]
"""A term as ``(Swedish, English)``."""


def say(term: Term, language: str) -> str:
    """The term in ``language`` (``sv`` or ``en``)."""
    return term[0] if language == "sv" else term[1]


NONE: Term = ("Inga", "None")
NOT_APPLICABLE: Term = ("Ej tillämpligt", "Not applicable")
NOT_STATED: Term = ("Ej angivet", "Not stated")
MISSING: Term = ("Saknas", "Missing")
NO_DPO: Term = ("Inget dataskyddsombud utsett", "No data protection officer designated")
NO_REPRESENTATIVE_NEEDED: Term = (
    "Behövs inte: den personuppgiftsansvarige är etablerad i EU/EES (art. 27)",
    "Not required: the controller is established in the EU/EEA (Art. 27)",
)
NO_REPRESENTATIVE: Term = ("Ingen företrädare utsedd (art. 27)", "No representative designated")
NO_JOINT_CONTROLLERS: Term = (
    "Inga gemensamt personuppgiftsansvariga (art. 26)",
    "No joint controllers (Art. 26)",
)
NO_TRANSFERS: Term = ("Inga överföringar till tredjeland", "No transfers to third countries")
NO_SAFEGUARD_REGISTERED: Term = ("ingen skyddsåtgärd registrerad", "no safeguard registered")
HOSTED_IN: Term = ("lagring", "hosting")
NO_RETENTION_RULE: Term = ("ingen gallringsregel registrerad", "no retention rule registered")
PERIOD_NOT_SET: Term = ("tidsfrist ej fastställd", "period not set")
TRIGGER_NOT_SET: Term = ("utgångspunkt ej angiven", "starting event not stated")
THEN: Term = ("därefter", "then")
NO_SECURITY_MEASURES: Term = ("Inga åtgärder beskrivna", "No measures described")
ORG_NUMBER: Term = ("org.nr", "reg. no.")
BALANCING_TEST: Term = ("intresseavvägning", "balancing test")
PROCESSOR: Term = ("personuppgiftsbiträde", "processor")
INTERNAL_SYSTEM: Term = ("eget system", "own system")
ART9: Term = ("art. 9", "Art. 9")

LEGAL_BASES: dict[LegalBasis, Term] = {
    LegalBasis.CONSENT: ("samtycke", "consent"),
    LegalBasis.CONTRACT: ("avtal", "contract"),
    LegalBasis.LEGAL_OBLIGATION: ("rättslig förpliktelse", "legal obligation"),
    LegalBasis.VITAL_INTERESTS: ("grundläggande intresse", "vital interests"),
    LegalBasis.PUBLIC_TASK: ("uppgift av allmänt intresse", "public task"),
    LegalBasis.LEGITIMATE_INTERESTS: ("berättigat intresse", "legitimate interests"),
}

ART9_CONDITIONS: dict[Art9Condition, Term] = {
    Art9Condition.EXPLICIT_CONSENT: ("uttryckligt samtycke", "explicit consent"),
    Art9Condition.EMPLOYMENT_AND_SOCIAL_SECURITY: (
        "arbetsrätt, social trygghet och socialt skydd",
        "employment, social security and social protection",
    ),
    Art9Condition.VITAL_INTERESTS: ("grundläggande intresse", "vital interests"),
    Art9Condition.NOT_FOR_PROFIT_BODY: ("ideell organisation", "not-for-profit body"),
    Art9Condition.MADE_PUBLIC: (
        "uppgifter som offentliggjorts av den registrerade",
        "made public by the data subject",
    ),
    Art9Condition.LEGAL_CLAIMS: ("rättsliga anspråk", "legal claims"),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: (
        "viktigt allmänt intresse",
        "substantial public interest",
    ),
    Art9Condition.HEALTH_OR_SOCIAL_CARE: ("hälso- och sjukvård", "health or social care"),
    Art9Condition.PUBLIC_HEALTH: ("folkhälsa", "public health"),
    Art9Condition.ARCHIVING_RESEARCH_STATISTICS: (
        "arkiv, forskning och statistik",
        "archiving, research and statistics",
    ),
}

SPECIAL_CATEGORIES: dict[SpecialCategory, Term] = {
    SpecialCategory.RACIAL_OR_ETHNIC_ORIGIN: (
        "ras eller etniskt ursprung",
        "racial or ethnic origin",
    ),
    SpecialCategory.POLITICAL_OPINIONS: ("politiska åsikter", "political opinions"),
    SpecialCategory.RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS: (
        "religiös eller filosofisk övertygelse",
        "religious or philosophical beliefs",
    ),
    SpecialCategory.TRADE_UNION_MEMBERSHIP: ("medlemskap i fackförening", "trade union membership"),
    SpecialCategory.GENETIC: ("genetiska uppgifter", "genetic data"),
    SpecialCategory.BIOMETRIC: ("biometriska uppgifter", "biometric data"),
    SpecialCategory.HEALTH: ("hälsa", "health"),
    SpecialCategory.SEX_LIFE_OR_ORIENTATION: (
        "sexualliv eller sexuell läggning",
        "sex life or sexual orientation",
    ),
}

ART9_EXPOSURES: dict[Art9Exposure, Term] = {
    Art9Exposure.IS_SPECIAL: ("känslig uppgift", "special category"),
    Art9Exposure.MAY_REVEAL: ("kan avslöja", "may reveal"),
}

CHANNELS: dict[Channel, Term] = {
    Channel.PHONE: ("telefon", "phone"),
    Channel.EMAIL: ("e-post", "e-mail"),
    Channel.SOCIAL_MEDIA: ("sociala medier", "social media"),
    Channel.WEBSITE: ("webbplatsen", "website"),
    Channel.WEB_FORM: ("webbformulär", "web form"),
    Channel.EVENT: ("event", "event"),
    Channel.IN_PERSON: ("personliga möten", "in person"),
    Channel.POSTAL_MAIL: ("post", "postal mail"),
    Channel.PRODUCT: ("produkterna", "the products"),
    Channel.PRIVACY_CENTER: ("integritetscentret", "privacy center"),
    Channel.UNSUBSCRIBE_LINK: ("avregistreringslänk", "unsubscribe link"),
    Channel.COOKIE_BANNER: ("cookie-banner", "cookie banner"),
}

RECIPIENT_KINDS: dict[RecipientKind, Term] = {
    RecipientKind.AUTHORITY: ("myndighet", "public authority"),
    RecipientKind.CONTROLLER: ("självständigt personuppgiftsansvarig", "independent controller"),
    RecipientKind.FINANCIAL_INSTITUTION: ("finansiellt institut", "financial institution"),
}

SAFEGUARDS: dict[TransferSafeguard, Term] = {
    TransferSafeguard.ADEQUACY: (
        "beslut om adekvat skyddsnivå (art. 45)",
        "adequacy decision (Art. 45)",
    ),
    TransferSafeguard.DPF: (
        "EU–US Data Privacy Framework (art. 45)",
        "EU–US Data Privacy Framework (Art. 45)",
    ),
    TransferSafeguard.SCC: (
        "EU:s standardavtalsklausuler (art. 46.2 c)",
        "EU standard contractual clauses (Art. 46(2)(c))",
    ),
    TransferSafeguard.BCR: (
        "bindande företagsbestämmelser (art. 47)",
        "binding corporate rules (Art. 47)",
    ),
    TransferSafeguard.DEROGATION: (
        "undantag för särskilda situationer (art. 49)",
        "derogation for specific situations (Art. 49)",
    ),
    TransferSafeguard.NONE: ("ingen skyddsåtgärd", "no safeguard"),
}

TRIGGERS: dict[RetentionTrigger, Term] = {
    RetentionTrigger.COLLECTED: ("från insamling", "from collection"),
    RetentionTrigger.LAST_ACTIVITY: ("från senaste aktivitet", "from the last activity"),
    RetentionTrigger.CONTRACT_END: ("från avtalets upphörande", "from the end of the contract"),
    RetentionTrigger.APPLICATION_CLOSED: (
        "från att ansökan avslutats",
        "from the close of the application",
    ),
    RetentionTrigger.EVENT_DATE: ("från eventets datum", "from the date of the event"),
    RetentionTrigger.CONSENT_WITHDRAWN: ("från återkallat samtycke", "from withdrawal of consent"),
    RetentionTrigger.UNSUBSCRIBED: ("från avregistrering", "from unsubscribing"),
    RetentionTrigger.FISCAL_YEAR_END: (
        "från räkenskapsårets slut",
        "from the end of the fiscal year",
    ),
    RetentionTrigger.REQUEST_CLOSED: (
        "från att ärendet avslutats",
        "from the close of the request",
    ),
}

ACTIONS: dict[RetentionAction, Term] = {
    RetentionAction.ERASE: ("radering", "erasure"),
    RetentionAction.ANONYMISE: ("anonymisering", "anonymisation"),
    RetentionAction.ARCHIVE_THEN_ERASE: (
        "arkivering och sedan radering",
        "archiving, then erasure",
    ),
}

HOLDS: dict[StatutoryHold, Term] = {
    StatutoryHold.BOOKKEEPING_ACT: (
        "lagring enligt bokföringslagen (1999:1078) 7 kap. 2 §: till utgången av det sjunde "
        "året efter utgången av det kalenderår då räkenskapsåret avslutades",
        "statutory hold under the Swedish Bookkeeping Act (1999:1078) ch. 7 s. 2: until the "
        "end of the seventh year after the end of the calendar year in which the fiscal "
        "year ended",
    ),
}

_UNITS: dict[str, tuple[Term, Term]] = {
    "years": (("år", "år"), ("year", "years")),
    "months": (("månad", "månader"), ("month", "months")),
    "days": (("dag", "dagar"), ("day", "days")),
}


def say_period(period: Period, language: str) -> str:
    """A period in words: ``1 år 6 månader``, ``7 years``, ``0 days``."""
    parts = []
    for unit, (sv, en) in _UNITS.items():
        count = getattr(period, unit)
        if count:
            singular, plural = sv if language == "sv" else en
            parts.append(f"{count} {singular if count == 1 else plural}")
    if not parts:
        return "0 dagar" if language == "sv" else "0 days"
    return " ".join(parts)


TITLE: Term = (
    "Register över behandlingar av personuppgifter (art. 30.1 dataskyddsförordningen)",
    "Record of processing activities (GDPR Art. 30(1))",
)
ACTIVITIES: Term = ("Behandlingar", "Activities")
CONTROLLER_SHEET: Term = ("Personuppgiftsansvarig", "Controller")
COLUMNS_SHEET: Term = ("Kolumner", "Columns")
FIELD: Term = ("Uppgift", "Field")
VALUE: Term = ("Innehåll", "Value")
SOURCE: Term = ("Källa", "Source")
