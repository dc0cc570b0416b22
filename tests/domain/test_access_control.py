"""Need-to-know (P12): a written matrix of who may do what, on both organisations.

The matrices below are the specification: one row per question, one column per
built-in role, ``Y`` allowed and ``.`` denied. They are evaluated on Mestro's
register and on the invented second organisation, whose purposes have other
keys and other data uses, which proves the built-in roles name no Mestro key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skydd.domain.access_control import AccessRequest, Reason, decide, visible_categories
from skydd.domain.access_vocabulary import (
    ORGANISATION_ACTIONS,
    PERSONAL_DATA_ACTIONS,
    SCOPE_ACTIONS,
    Action,
    Actor,
    ActorId,
    ActorKind,
    Scope,
)
from skydd.domain.errors import AccessDenied, InvalidInput
from skydd.domain.register import Register, dotted_path
from skydd.domain.roles import (
    BUILTIN_ROLE_KEYS,
    Grant,
    Role,
    RoleDefinition,
    builtin_roles,
    dangling_role_references,
    roles_for,
)
from skydd.storage.register_files import load_register

pytestmark = pytest.mark.promise("P12")

ROOT = Path(__file__).resolve().parents[2]
MESTRO = load_register(ROOT / "examples" / "mestro")
SECOND_ORG = load_register(ROOT / "tests" / "data" / "second_org")
REGISTERS = {"mestro": MESTRO, "second_org": SECOND_ORG}

COLUMNS = ("admin", "dpo", "support", "hr", "marketing", "auditor", "read_only")

MESTRO_MATRIX = """
action          purpose             categories                  subject                 admin dpo support hr marketing auditor read_only
read            inquiries           cv,cover_letter             job_applicants          .     Y   .       Y  .         .       .
read            inquiries           name,email,phone            job_applicants          .     Y   .       Y  .         .       .
write           inquiries           cv                          job_applicants          .     Y   .       Y  .         .       .
erase           inquiries           cv                          job_applicants          .     Y   .       .  .         .       .
read            inquiries           inquiry_content             prospects               .     Y   .       .  .         .       .
read            inquiries           cv                          customer_contacts       .     Y   .       .  .         .       .
read            inquiries           cv                          -                       .     Y   .       .  .         .       .
read            customer_relations  invoice_data                -                       .     Y   Y       .  .         .       .
read            customer_relations  name,email,user_account     customer_contacts       .     Y   Y       .  .         .       .
write           customer_relations  support_case                product_users           .     Y   Y       .  .         .       .
erase           customer_relations  name                        -                       .     Y   .       .  .         .       .
export          customer_relations  invoice_data                -                       .     Y   .       .  .         .       .
read            customer_relations  food_preferences            -                       .     .   .       .  .         .       .
read            marketing           name,email,company          prospects               .     Y   .       .  Y         .       .
read            newsletter          name,email                  newsletter_subscribers  .     Y   .       .  Y         .       .
consent         newsletter          email                       newsletter_subscribers  .     Y   .       .  Y         .       .
export          newsletter          email                       -                       .     Y   .       .  .         .       .
read            events              name,home_town              event_participants      .     Y   .       .  Y         .       .
read            events              food_preferences            event_participants      .     Y   .       .  .         .       .
read            events              name,food_preferences       -                       .     Y   .       .  .         .       .
read            analytics           email,product_usage         -                       .     Y   .       .  .         .       .
read            unknown_purpose     -                           -                       .     .   .       .  .         .       .
register.read   -                   -                           -                       Y     Y   Y       Y  Y         Y       Y
register.write  -                   -                           -                       Y     Y   .       .  .         .       .
policy.publish  -                   -                           -                       Y     Y   .       .  .         .       .
audit.read      -                   -                           -                       Y     Y   .       .  .         Y       .
users.manage    -                   -                           -                       Y     .   .       .  .         .       .
breach.manage   -                   -                           -                       Y     Y   .       .  .         .       .
requests.read   -                   -                           -                       .     Y   .       .  .         .       .
requests.manage -                   -                           -                       .     Y   .       .  .         .       .
"""  # noqa: E501 - a table reads best on one line per row

SECOND_ORG_MATRIX = """
action          purpose                categories                      subject             admin dpo support hr marketing auditor read_only
read            patient_care           full_name,email_address,mobile  patients            .     Y   Y       .  .         .       .
read            patient_care           clinical_notes                  patients            .     Y   .       .  .         .       .
read            patient_care           appointment_history             -                   .     Y   .       .  .         .       .
write           patient_care           date_of_birth                   patients            .     Y   Y       .  .         .       .
erase           patient_care           full_name                       patients            .     Y   .       .  .         .       .
read            billing                payment_records                 -                   .     Y   Y       .  .         .       .
read            billing                card_token                      -                   .     Y   .       .  .         .       .
export          billing                payment_records                 -                   .     Y   .       .  .         .       .
read            appointment_reminders  full_name,mobile                -                   .     Y   Y       .  .         .       .
read            newsletter             full_name,email_address         newsletter_readers  .     Y   .       .  Y         .       .
consent         newsletter             email_address                   newsletter_readers  .     Y   .       .  Y         .       .
erase           newsletter             email_address                   -                   .     Y   .       .  .         .       .
read            newsletter             clinical_notes                  -                   .     .   .       .  .         .       .
read            site_statistics        visitor_id                      -                   .     Y   .       .  .         .       .
register.read   -                      -                               -                   Y     Y   Y       Y  Y         Y       Y
register.write  -                      -                               -                   Y     Y   .       .  .         .       .
policy.publish  -                      -                               -                   Y     Y   .       .  .         .       .
audit.read      -                      -                               -                   Y     Y   .       .  .         Y       .
users.manage    -                      -                               -                   Y     .   .       .  .         .       .
breach.manage   -                      -                               -                   Y     Y   .       .  .         .       .
requests.read   -                      -                               -                   .     Y   .       .  .         .       .
requests.manage -                      -                               -                   .     Y   .       .  .         .       .
"""  # noqa: E501 - a table reads best on one line per row


@dataclass(frozen=True)
class Row:
    request: AccessRequest
    expected: dict[str, bool]

    @property
    def label(self) -> str:
        r = self.request
        return f"{r.action}:{r.purpose}:{','.join(r.data_categories)}:{r.data_subject}"


def parse_matrix(text: str, register: Register) -> list[Row]:
    header, *lines = [line.split() for line in text.strip().splitlines()]
    assert tuple(header[4:]) == COLUMNS
    rows = []
    for cells in lines:
        action, purpose, categories, subject, *marks = cells
        assert len(marks) == len(COLUMNS), cells
        assert set(marks) <= {"Y", "."}, cells
        request = AccessRequest(
            action=Action(action),
            organisation=register.organisation.key,
            purpose=None if purpose == "-" else purpose,
            data_categories=() if categories == "-" else tuple(categories.split(",")),
            data_subject=None if subject == "-" else subject,
        )
        rows.append(
            Row(request, {role: mark == "Y" for role, mark in zip(COLUMNS, marks, strict=True)})
        )
    return rows


MATRICES = {
    "mestro": parse_matrix(MESTRO_MATRIX, MESTRO),
    "second_org": parse_matrix(SECOND_ORG_MATRIX, SECOND_ORG),
}
CASES = [(org, row) for org, rows in MATRICES.items() for row in rows]


def user(*roles: str) -> Actor:
    return Actor(ActorId("staff-1"), roles=roles)


def request_on(
    register: Register,
    action: Action,
    purpose: str | None = None,
    *categories: str,
    subject: str | None = None,
) -> AccessRequest:
    return AccessRequest(
        action=action,
        organisation=register.organisation.key,
        purpose=purpose,
        data_categories=categories,
        data_subject=subject,
    )


@pytest.mark.parametrize(("org", "row"), CASES, ids=[f"{o}-{r.label}" for o, r in CASES])
def test_every_builtin_role_decides_as_the_matrix_says(org: str, row: Row) -> None:
    register = REGISTERS[org]
    roles = builtin_roles(register)
    actual = {role: decide(user(role), row.request, roles, register).allowed for role in COLUMNS}
    assert actual == row.expected


@pytest.mark.parametrize("org", sorted(REGISTERS))
def test_the_matrix_covers_every_purpose_action_and_builtin_role(org: str) -> None:
    register = REGISTERS[org]
    rows = MATRICES[org]
    assert set(COLUMNS) == set(BUILTIN_ROLE_KEYS) == set(builtin_roles(register))
    assert {r.request.action for r in rows} == set(Action)
    assert {r.request.purpose for r in rows if r.request.action is Action.READ} >= {
        p.key for p in register.purposes
    }
    # A typo in the matrix must not pass as a denial: every category it names exists.
    known = {c.key for c in register.data_categories}
    assert {c for r in rows for c in r.request.data_categories} <= known


def test_hr_sees_job_applications_and_nothing_of_customers() -> None:
    roles = builtin_roles(MESTRO)
    hr = user("hr")
    applications = visible_categories(hr, "inquiries", roles, MESTRO, data_subject="job_applicants")
    assert {"cv", "cover_letter", "name", "email", "phone"} <= applications
    for subject in ("prospects", "customer_contacts"):
        assert (
            visible_categories(hr, "inquiries", roles, MESTRO, data_subject=subject) == frozenset()
        )
    for purpose in ("customer_relations", "marketing", "newsletter", "events", "analytics"):
        assert visible_categories(hr, purpose, roles, MESTRO) == frozenset()
    invoices = request_on(MESTRO, Action.READ, "customer_relations", "invoice_data")
    assert decide(hr, invoices, roles, MESTRO).reason is Reason.NOT_GRANTED


def test_hr_sees_nothing_where_there_are_no_applicants_or_employees() -> None:
    roles = builtin_roles(SECOND_ORG)
    assert roles["hr"].grants == ()
    for purpose in SECOND_ORG.purposes:
        assert visible_categories(user("hr"), purpose.key, roles, SECOND_ORG) == frozenset()


def test_marketing_sees_newsletter_subscribers_and_not_cvs() -> None:
    roles = builtin_roles(MESTRO)
    marketing = user("marketing")
    assert visible_categories(
        marketing, "newsletter", roles, MESTRO, data_subject="newsletter_subscribers"
    ) == frozenset({"name", "email", "company"})
    for subject in ("job_applicants", "prospects"):
        cv = request_on(MESTRO, Action.READ, "inquiries", "cv", subject=subject)
        assert not decide(marketing, cv, roles, MESTRO).allowed


def test_support_sees_customer_relations_but_not_food_preferences() -> None:
    roles = builtin_roles(MESTRO)
    support = user("support")
    customer_relations = next(p for p in MESTRO.purposes if p.key == "customer_relations")
    assert visible_categories(support, "customer_relations", roles, MESTRO) == frozenset(
        customer_relations.data_categories
    )
    food = request_on(MESTRO, Action.READ, "events", "food_preferences")
    assert decide(support, food, roles, MESTRO).reason is Reason.NOT_GRANTED


@pytest.mark.parametrize("org", sorted(REGISTERS))
@pytest.mark.parametrize("role", ["admin", "auditor", "read_only"])
def test_roles_without_need_see_no_personal_data(org: str, role: str) -> None:
    register = REGISTERS[org]
    roles = builtin_roles(register)
    for purpose in register.purposes:
        for action in PERSONAL_DATA_ACTIONS:
            shown = visible_categories(user(role), purpose.key, roles, register, action=action)
            assert shown == frozenset(), (purpose.key, action)


@pytest.mark.parametrize("org", sorted(REGISTERS))
def test_dpo_sees_all_personal_data(org: str) -> None:
    register = REGISTERS[org]
    roles = builtin_roles(register)
    for purpose in register.purposes:
        shown = visible_categories(user("dpo"), purpose.key, roles, register)
        assert shown == frozenset(purpose.data_categories)


def test_an_unknown_role_is_denied() -> None:
    roles = builtin_roles(MESTRO)
    for actor in (user("hrr"), user(), Actor(ActorId("job"), kind=ActorKind.SYSTEM)):
        request = request_on(MESTRO, Action.REGISTER_READ)
        assert decide(actor, request, roles, MESTRO).reason is Reason.NO_ROLES


def test_a_token_scope_narrower_than_its_role_is_denied() -> None:
    roles = builtin_roles(MESTRO)
    token = Actor(
        ActorId("tok-website"),
        roles=("marketing",),
        kind=ActorKind.TOKEN,
        scopes=frozenset({Scope.CONSENT_WRITE}),
    )
    signup = request_on(MESTRO, Action.CONSENT, "newsletter", "email")
    assert decide(token, signup, roles, MESTRO).allowed
    read = request_on(MESTRO, Action.READ, "newsletter", "email")
    assert decide(user("marketing"), read, roles, MESTRO).allowed
    assert decide(token, read, roles, MESTRO).reason is Reason.OUT_OF_SCOPE
    assert visible_categories(token, "newsletter", roles, MESTRO) == frozenset()


def test_a_scope_wider_than_the_role_grants_nothing_more() -> None:
    roles = builtin_roles(MESTRO)
    token = Actor(
        ActorId("tok-1"), roles=("marketing",), kind=ActorKind.TOKEN, scopes=frozenset(Scope)
    )
    cv = request_on(MESTRO, Action.READ, "inquiries", "cv", subject="job_applicants")
    assert decide(token, cv, roles, MESTRO).reason is Reason.NOT_GRANTED


def test_a_token_without_scopes_may_do_nothing() -> None:
    roles = builtin_roles(MESTRO)
    token = Actor(ActorId("tok-2"), roles=("dpo",), kind=ActorKind.TOKEN)
    assert decide(token, request_on(MESTRO, Action.REGISTER_READ), roles, MESTRO).reason is (
        Reason.OUT_OF_SCOPE
    )


def test_each_scope_maps_to_actions_and_every_action_has_a_scope() -> None:
    assert set(SCOPE_ACTIONS) == set(Scope)
    assert set().union(*SCOPE_ACTIONS.values()) == set(Action)


def test_a_sensitive_category_needs_a_grant_that_includes_sensitive() -> None:
    def caterer(*, include_sensitive: bool) -> RoleDefinition:
        return RoleDefinition(
            key="caterer",
            name={"en": "Caterer"},
            grants=[
                Grant(
                    actions=frozenset({Action.READ}),
                    purposes=("events",),
                    data_categories=("name", "food_preferences"),
                    include_sensitive=include_sensitive,
                )
            ],
        )

    food = request_on(MESTRO, Action.READ, "events", "name", "food_preferences")
    without = roles_for(MESTRO, [caterer(include_sensitive=False)])
    decision = decide(user("caterer"), food, without, MESTRO)
    assert (decision.allowed, decision.reason) == (False, Reason.SENSITIVE)
    with_sensitive = roles_for(MESTRO, [caterer(include_sensitive=True)])
    assert decide(user("caterer"), food, with_sensitive, MESTRO).allowed
    events = visible_categories(user("caterer"), "events", with_sensitive, MESTRO)
    assert events == frozenset({"name", "food_preferences"})
    assert visible_categories(user("marketing"), "events", without, MESTRO) == frozenset(
        {"name", "email", "phone", "company", "job_title", "home_town"}
    )


def test_a_request_about_another_organisation_is_denied() -> None:
    roles = builtin_roles(MESTRO)
    request = AccessRequest(action=Action.REGISTER_READ, organisation=SECOND_ORG.organisation.key)
    assert decide(user("dpo"), request, roles, MESTRO).reason is Reason.OTHER_ORGANISATION


def test_requests_that_do_not_fit_their_action_are_denied() -> None:
    roles = builtin_roles(MESTRO)
    dpo = user("dpo")
    no_purpose = request_on(MESTRO, Action.READ, None, "name")
    with_purpose = request_on(MESTRO, Action.AUDIT_READ, "newsletter")
    alien_subject = request_on(MESTRO, Action.READ, "newsletter", subject="job_applicants")
    assert decide(dpo, no_purpose, roles, MESTRO).reason is Reason.MALFORMED
    assert decide(dpo, with_purpose, roles, MESTRO).reason is Reason.MALFORMED
    assert decide(dpo, alien_subject, roles, MESTRO).reason is Reason.NOT_IN_PURPOSE


def test_a_decision_names_the_roles_and_grants_that_allowed_it() -> None:
    roles = builtin_roles(MESTRO)
    request = request_on(MESTRO, Action.READ, "inquiries", "cv", subject="job_applicants")
    decision = decide(user("read_only", "hr", "dpo"), request, roles, MESTRO)
    assert decision.allowed
    assert [m.role for m in decision.matched] == ["hr"]
    assert decision.matched[0].grant == roles["hr"].grants[0]
    decision.enforce(request)
    denied = decide(user("read_only"), request, roles, MESTRO)
    with pytest.raises(AccessDenied, match="read on inquiries: not-granted"):
        denied.enforce(request)


def test_an_organisation_defines_its_own_role_in_register_form() -> None:
    recruiter = RoleDefinition.model_validate(
        {
            "key": "recruiter",
            "name": {"en": "Recruiter", "sv": "Rekryterare"},
            "permissions": ["register.read"],
            "grants": [
                {
                    "actions": ["read"],
                    "purposes": ["inquiries"],
                    "data_subjects": ["job_applicants"],
                    "data_categories": ["name", "email", "cv", "cover_letter"],
                }
            ],
        }
    )
    roles = roles_for(MESTRO, [recruiter])
    assert set(roles) == {*BUILTIN_ROLE_KEYS, "recruiter"}
    assert not roles["recruiter"].builtin
    shown = visible_categories(
        user("recruiter"), "inquiries", roles, MESTRO, data_subject="job_applicants"
    )
    assert shown == frozenset({"name", "email", "cv", "cover_letter"})
    assert list(dangling_role_references(MESTRO, [recruiter])) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"key": "x", "name": {"en": "X"}, "permissions": ["read"]},
        {
            "key": "x",
            "name": {"en": "X"},
            "grants": [{"actions": ["audit.read"], "purposes": ["*"]}],
        },
        {
            "key": "x",
            "name": {"en": "X"},
            "grants": [{"actions": ["read"], "purposes": ["*", "a"]}],
        },
        {"key": "x", "name": {"en": "X"}, "grants": [{"actions": [], "purposes": ["a"]}]},
        {"key": "x", "name": {"en": "X"}, "grants": [{"actions": ["read"], "purposes": []}]},
        {
            "key": "x",
            "name": {"en": "X"},
            "grants": [{"actions": ["read"], "purposes": ["a"], "x": 1}],
        },
    ],
)
def test_a_role_definition_that_mixes_up_its_parts_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        RoleDefinition.model_validate(bad)


def test_a_custom_role_may_not_redefine_a_builtin_or_repeat_itself() -> None:
    hr = RoleDefinition(key="hr", name={"en": "HR"})
    twice = RoleDefinition(key="caterer", name={"en": "Caterer"})
    with pytest.raises(InvalidInput, match="'hr' is built in"):
        roles_for(MESTRO, [hr])
    with pytest.raises(InvalidInput, match="'caterer' is defined twice"):
        roles_for(MESTRO, [twice, twice])


def test_dangling_role_references_are_reported_by_field_path() -> None:
    definitions = [
        RoleDefinition(key="hr", name={"en": "HR"}),
        RoleDefinition(
            key="caterer",
            name={"en": "Caterer"},
            grants=[
                Grant(
                    actions=frozenset({Action.READ}),
                    purposes=("events", "parties"),
                    data_categories=("food_preferences", "cv", "shoe_size"),
                    data_subjects=("guests",),
                )
            ],
        ),
        RoleDefinition(key="caterer", name={"en": "Caterer again"}),
    ]
    found = [
        (dotted_path(path), message)
        for path, message in dangling_role_references(MESTRO, definitions)
    ]
    assert found == [
        ("roles[0].key", "role 'hr' is built in"),
        ("roles[1].grants[0].purposes[1]", "unknown purpose 'parties'"),
        ("roles[1].grants[0].data_categories[2]", "unknown data category 'shoe_size'"),
        ("roles[1].grants[0].data_subjects[0]", "unknown data subject 'guests'"),
        (
            "roles[1].grants[0].data_categories[1]",
            "data category 'cv' is in none of the grant's purposes",
        ),
        ("roles[2].key", "duplicate key 'caterer'"),
    ]


# Properties ---------------------------------------------------------------------------

ROLE_KEYS = [*BUILTIN_ROLE_KEYS, "caterer", "unknown"]
CATERER = RoleDefinition(
    key="caterer",
    name={"en": "Caterer"},
    grants=[Grant(actions=frozenset({Action.READ}), purposes=("*",), include_sensitive=True)],
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[Register, AccessRequest]:
    """Mostly well-formed requests, so allowances happen; some stray keys, so denials do too."""
    register = draw(st.sampled_from([MESTRO, SECOND_ORG]))
    organisation = draw(st.sampled_from([register.organisation.key] * 9 + ["elsewhere"]))
    action = draw(st.sampled_from(list(Action)))
    if not action.on_personal_data:
        return register, AccessRequest(action=action, organisation=organisation)
    purpose = draw(st.sampled_from(register.purposes))
    stray_category = draw(st.sampled_from([c.key for c in register.data_categories]))
    stray_subject = draw(st.sampled_from([s.key for s in register.data_subjects]))
    categories = draw(
        st.lists(
            st.sampled_from([*purpose.data_categories, stray_category]), max_size=4, unique=True
        )
    )
    subject = draw(st.none() | st.sampled_from([*purpose.data_subjects, stray_subject]))
    purpose_key = draw(st.sampled_from([purpose.key] * 9 + ["nope"]))
    return register, AccessRequest(
        action=action,
        organisation=organisation,
        purpose=purpose_key,
        data_categories=tuple(categories),
        data_subject=subject,
    )


def all_roles(register: Register) -> dict[str, Role]:
    return roles_for(register, [CATERER])


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(case=requests(), kind=st.sampled_from(list(ActorKind)))
def test_an_actor_without_roles_is_denied_everything(
    case: tuple[Register, AccessRequest], kind: ActorKind
) -> None:
    register, request = case
    actor = Actor(ActorId("nobody"), kind=kind, scopes=frozenset(Scope))
    assert not decide(actor, request, all_roles(register), register).allowed


@PROPERTY
@given(
    case=requests(),
    held=st.lists(st.sampled_from(ROLE_KEYS), max_size=3),
    extra=st.sampled_from(ROLE_KEYS),
)
def test_adding_a_role_never_removes_an_allowance(
    case: tuple[Register, AccessRequest], held: list[str], extra: str
) -> None:
    register, request = case
    roles = all_roles(register)
    before = decide(user(*held), request, roles, register)
    after = decide(user(*held, extra), request, roles, register)
    assert after.allowed or not before.allowed


@PROPERTY
@given(
    case=requests(),
    held=st.lists(st.sampled_from(ROLE_KEYS), max_size=3),
    scopes=st.frozensets(st.sampled_from(list(Scope))),
)
def test_a_token_may_do_no_more_than_its_roles_and_its_scopes(
    case: tuple[Register, AccessRequest], held: list[str], scopes: frozenset[Scope]
) -> None:
    register, request = case
    roles = all_roles(register)
    token = Actor(ActorId("tok"), roles=tuple(held), kind=ActorKind.TOKEN, scopes=scopes)
    if decide(token, request, roles, register).allowed:
        assert decide(user(*held), request, roles, register).allowed
        assert any(request.action in SCOPE_ACTIONS[s] for s in scopes)


@PROPERTY
@given(case=requests(), held=st.lists(st.sampled_from(ROLE_KEYS), max_size=3))
def test_asking_for_several_categories_equals_asking_one_by_one(
    case: tuple[Register, AccessRequest], held: list[str]
) -> None:
    register, request = case
    if len(request.data_categories) < 2:
        return
    roles = all_roles(register)
    whole = decide(user(*held), request, roles, register).allowed
    singles = [
        decide(
            user(*held),
            AccessRequest(
                action=request.action,
                organisation=request.organisation,
                purpose=request.purpose,
                data_categories=(category,),
                data_subject=request.data_subject,
            ),
            roles,
            register,
        ).allowed
        for category in request.data_categories
    ]
    assert whole == all(singles)


def test_organisation_wide_actions_and_personal_data_actions_partition_the_vocabulary() -> None:
    assert set(Action) == PERSONAL_DATA_ACTIONS | ORGANISATION_ACTIONS
    assert not PERSONAL_DATA_ACTIONS & ORGANISATION_ACTIONS
    assert all("." in a for a in ORGANISATION_ACTIONS)
    assert all("." not in a for a in PERSONAL_DATA_ACTIONS)
