"""The permission matrix: every URL name of the project → who gets what.

An entry says how to reach the page for a record inside the role users' unit
(SEC-A, scope "in") and for the same kind of record in its sibling (SEC-B, scope
"out"), which methods the view takes, and the status each role gets in scope.
The rest follows DESIGN.md §2 unless the entry says otherwise:

* anonymous → a redirect to the login page (the API answers 401);
* a role user on a record of the sibling unit → 404;
* `sibling` (HR on SEC-B) → 404 on SEC-A's records, and what HR gets in scope
  on SEC-B's own records;
* `expired` (HR on SEC-A until yesterday) holds no role: 403 on a screen of a
  role (lists, reports), 404 on a record;
* a GET-only view answers 405 to POST, a POST-only view 405 to GET;
* a POST the role may make is sent empty: it must answer 200, 302 or 400 and
  change nothing (`WRITE`);
* `KNOWN_ISSUES` (at the end) lists the cases that deviate today, reported to
  the views' owners; they run as strict xfails.

A URL name missing here fails `test_every_url_has_an_entry`: add one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# Outcomes: a status code, or one of these.
OK, REDIRECT, BAD, UNAUTH, FORBID, NF, NA = 200, 302, 400, 401, 403, 404, 405
LOGIN = "login"  # 302 to the login page
ADMIN_LOGIN = "admin login"  # 302 to the back office's login page
WRITE = "write"  # an empty POST the role may make: 200, 302 or 400, nothing changed
Outcome = int | str

ROLES = ("staff", "counter", "manager", "hr", "inspector", "admin")
PRINCIPALS = ("anonymous", *ROLES, "sibling", "expired")

# Role groups, as the apps' permissions.py define them.
EVERYONE = frozenset(ROLES)
READERS = frozenset({"admin", "hr", "manager", "inspector"})  # staff, positions…
EDITORS = frozenset({"admin", "hr"})
DISCIPLINE_READERS = frozenset({"admin", "hr", "inspector"})
DOSSIER_READERS = READERS | {"counter"}
SLIP_ISSUERS = frozenset({"admin", "manager", "counter"})
DOSSIER_WRITERS = frozenset({"admin", "hr", "counter"})
INSPECTION_READERS = frozenset({"admin", "inspector"})
INSPECTORS = frozenset({"inspector"})
ADMINS = frozenset({"admin"})
OTP_ROLES = frozenset({"admin", "hr", "inspector"})
JOB_SEERS = frozenset({"admin", "hr"})  # the in-scope job is HR's, on SEC-A
TASK_MANAGERS = frozenset({"admin", "manager"})
REFORM_EDITORS = frozenset({"admin", "hr", "manager"})
PROPOSERS = TASK_MANAGERS
DECIDERS = EDITORS
STAFF = frozenset({"staff"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    obj: str | None = None  # a key of BUILDERS; None: a page without a record
    methods: str = "GET"  # "GET", "POST" (POST only) or "BOTH"
    get: Mapping[str, Outcome] = field(default_factory=dict)  # in scope, by role
    post: Mapping[str, Outcome] = field(default_factory=dict)
    # A role user on the sibling unit's record: one outcome, or one by role.
    out: Outcome | Mapping[str, Outcome] = NF
    sibling: Outcome = NF  # `sibling` on SEC-A's record (on lists: what HR gets)
    sibling_out: Outcome | None = None  # None: what HR gets in scope
    norole: Outcome = NF  # the expired grant
    norole_out: Outcome | None = None  # None: the same as `norole`
    norole_post: Outcome | None = None  # None: the same as `norole`
    anon: Outcome = LOGIN
    anon_out: Outcome | None = None  # None: the same as `anon`
    account: bool = False  # login, password pages: change the session, no data
    path: str | None = None  # a fixed path instead of reversing the name
    kwargs: Mapping[str, str] = field(default_factory=dict)  # fixed url kwargs
    skip_post: bool = False  # the back office: GET only is checked
    # A role's own data: written by design (inspectors' own cases).
    own_writers: frozenset[str] = NOBODY
    # An empty POST by a role allowed to make it acts (advances a stage,
    # computes): only the refusals are checked.
    acts_when_empty: bool = False


def _by_role(
    allowed: Iterable[str],
    value: Outcome,
    *,
    forbidden: Iterable[str] = (),
    default: Outcome = NF,
) -> dict[str, Outcome]:
    allowed, forbidden = set(allowed), set(forbidden) - set(allowed)
    return {
        role: value if role in allowed else FORBID if role in forbidden else default
        for role in ROLES
    }


def listing(readers, *, writers=None, denied: Outcome = FORBID, **kw) -> Entry:
    """A screen without a record: readers see it, the other roles get `denied`;
    with `writers`, the screen is also a form (GET and POST)."""
    methods = "GET" if writers is None else "BOTH"
    post = (
        _by_role(writers or (), WRITE, forbidden=readers, default=denied)
        if writers is not None
        else {}
    )
    kw.setdefault("norole", denied)
    return Entry(
        methods=methods,
        get=_by_role(readers, OK, default=denied),
        post=post,
        **kw,
    )


def page(obj: str, readers, *, visible=(), value: Outcome = OK, **kw) -> Entry:
    """A record's page (GET only): readers see it, `visible` roles get 403."""
    return Entry(obj=obj, get=_by_role(readers, value, forbidden=visible), **kw)


def form(obj: str, writers, *, visible=(), readers=None, **kw) -> Entry:
    """A record's form (GET and POST): `readers` (default: the writers) see it,
    writers post it, the other roles who see the record get 403."""
    readers = writers if readers is None else readers
    return Entry(
        obj=obj,
        methods="BOTH",
        get=_by_role(readers, OK, forbidden=visible),
        post=_by_role(writers, WRITE, forbidden=set(visible) | set(readers)),
        **kw,
    )


def action(obj: str, writers, *, visible=(), **kw) -> Entry:
    """A POST-only action on a record."""
    return Entry(
        obj=obj,
        methods="POST",
        post=_by_role(writers, WRITE, forbidden=visible),
        **kw,
    )


def report(readers, **kw) -> Entry:
    """A report of a unit given as ?unit=CODE (404 outside the scope)."""
    return Entry(
        obj="unit_code",
        get=_by_role(readers, OK, default=FORBID),
        out=_by_role(readers, NF, default=FORBID),
        norole=FORBID,
        **kw,
    )


def public(obj: str | None = None) -> Entry:
    """A disclosure page: everyone, logged in or not; a draft is 404."""
    return Entry(
        obj=obj,
        get=_by_role(EVERYONE, OK),
        out=NF,
        sibling=OK,
        sibling_out=NF,
        norole=OK,
        norole_out=NF,
        anon=OK,
        anon_out=NF,
    )


def account(get: Outcome, post: Outcome, *, anon: Outcome = OK, **kw) -> Entry:
    """An account page (login, password): the same for every user; `anon` is
    LOGIN when it needs one."""
    kw.setdefault("methods", "BOTH")
    return Entry(
        get=_by_role(EVERYONE, get),
        post=_by_role(EVERYONE, post),
        norole=get,
        norole_post=post,
        anon=anon,
        account=True,
        **kw,
    )


# How to reach a record: url kwargs and query string for (world, scope).
Builder = Callable[[object, str], tuple[dict, dict]]


def _pk(kind: str) -> Builder:
    return lambda world, scope: ({"pk": world.obj(kind, scope).pk}, {})


BUILDERS: dict[str, Builder] = {
    kind: _pk(kind)
    for kind in (
        "unit",
        "position",
        "employee",
        "discipline_case",
        "decided_case",
        "dossier",
        "drive",
        "drive_vacancy",
        "application",
        "hint",
        "remark",
        "decision",
        "inspection_case",
        "public_drive",
        "cycle",
        "appraisal",
        "task",
        "reform_plan",
        "reform_item",
        "complaint",
        "job",
    )
}
BUILDERS.update(
    {
        "unit_code": lambda w, s: ({}, {"unit": w.obj("unit", s).code}),
        "position_code": lambda w, s: ({"code": w.obj("position", s).code}, {}),
        "employee_code": lambda w, s: (
            {"employee_code": w.obj("employee", s).employee_code},
            {},
        ),
        "dossier_code": lambda w, s: ({"code": w.obj("dossier", s).code}, {}),
        "suspension": lambda w, s: (
            {
                "pk": w.obj("suspension", s).case_id,
                "suspension_pk": w.obj("suspension", s).pk,
            },
            {},
        ),
        "drive+vacancy": lambda w, s: (
            {
                "pk": w.obj("drive_vacancy", s).drive_id,
                "vacancy_pk": w.obj("drive_vacancy", s).pk,
            },
            {},
        ),
        "drive+member": lambda w, s: (
            {
                "pk": w.obj("drive", s).pk,
                "member_pk": w.obj("council_member", s).pk,
            },
            {},
        ),
        "record": lambda w, s: (
            {
                "object_type": "recruitment.recruitmentdrive",
                "object_id": str(w.obj("drive", s).pk),
            },
            {},
        ),
    }
)

# Discipline cases: the unit's leader reads the personnel file but not its
# discipline (403); counter and staff roles do not see it at all (404).
CASE_VISIBLE = DISCIPLINE_READERS | {"manager"}

MATRIX: dict[str, Entry] = {
    # hrms --------------------------------------------------------------------
    "home": listing(EVERYONE, norole=OK),
    "access_log": listing(ADMINS),
    "login": account(OK, OK),
    "logout": account(NA, LOGIN),
    "password_change": account(OK, OK, anon=LOGIN),
    "password_change_done": account(OK, NA, anon=LOGIN, methods="GET"),
    "password_reset": account(OK, OK),
    "password_reset_done": account(OK, NA, methods="GET"),
    "password_reset_confirm": account(
        OK, OK, kwargs={"uidb64": "MA", "token": "no-such-token"}
    ),
    "password_reset_complete": account(OK, NA, methods="GET"),
    # Two-step verification (hrms/auth): only the OTP_ROLES may enrol.
    "account:account_detail": account(OK, OK, anon=LOGIN),
    "account:login_verify": account(REDIRECT, REDIRECT, anon=LOGIN),
    "account:totp_enrol": Entry(
        methods="BOTH",
        get=_by_role(OTP_ROLES, OK, default=REDIRECT),
        post=_by_role(OTP_ROLES, OK, default=REDIRECT),
        norole=REDIRECT,
        account=True,
    ),
    "account:totp_disable": account(NA, REDIRECT, anon=LOGIN, methods="POST"),
    "set_language": account(REDIRECT, REDIRECT, anon=REDIRECT),
    "admin": Entry(
        path="/admin/",
        get=_by_role(ADMINS, OK, default=ADMIN_LOGIN),
        norole=ADMIN_LOGIN,
        anon=ADMIN_LOGIN,
        skip_post=True,
    ),
    # Background jobs (hrms/job_views): a user's own, an administrator's unit's.
    "jobs:job_list": listing(EVERYONE, norole=OK),
    "jobs:job_detail": page("job", JOB_SEERS),
    "jobs:job_status": page("job", JOB_SEERS),
    "jobs:job_download": page("job", JOB_SEERS),
    "jobs:job_import": listing(EDITORS, writers=EDITORS),
    # Whole-table exports: administrators of the root unit only.
    "jobs:job_export": listing(NOBODY, writers=NOBODY),
    "jobs:job_compute": Entry(
        methods="POST", post=_by_role(EDITORS, WRITE, default=FORBID), norole=FORBID
    ),
    "jobs:job_apology_slips": Entry(
        methods="POST",
        post=_by_role(DOSSIER_READERS, WRITE, default=FORBID),
        norole=FORBID,
        own_writers=INSPECTORS,  # a batch of slips it may read, as one PDF
    ),
    "api_schema": public(),
    "api_docs": public(),
    # positions ---------------------------------------------------------------
    "positions:unit_list": listing(EVERYONE, norole=OK),
    "positions:unit_create": listing(EDITORS, writers=EDITORS),
    "positions:unit_detail": page("unit", EVERYONE),
    "positions:unit_update": form("unit", EDITORS, visible=EVERYONE),
    "positions:unit_grade_structure": page("unit", READERS),
    "positions:grade_target_set": action("unit", EDITORS, visible=READERS),
    "positions:position_list": listing(READERS),
    "positions:position_create": listing(EDITORS, writers=EDITORS),
    "positions:position_detail": page("position", READERS),
    "positions:position_update": form("position", EDITORS, visible=READERS),
    "positions:position_competencies": form("position", EDITORS, visible=READERS),
    "positions:vacancy_list": listing(READERS),
    "positions:establishment_report": report(READERS),
    "positions:establishment_xlsx": report(READERS),
    "positions:establishment_pdf": report(READERS),
    # staff -------------------------------------------------------------------
    "staff:employee_list": listing(READERS),
    "staff:employee_create": listing(EDITORS, writers=EDITORS),
    "staff:my_profile": listing(STAFF, denied=NF),
    "staff:employee_detail": page("employee", READERS),
    "staff:employee_edit": form("employee", EDITORS, visible=READERS),
    "staff:employee_assign": form("employee", EDITORS, visible=READERS),
    "staff:employee_record_grade": form("employee", EDITORS, visible=READERS),
    "staff:employee_add_commendation": form("employee", EDITORS, visible=READERS),
    "staff:employee_record_rating": form("employee", EDITORS, visible=READERS),
    "staff:employee_pdf": page("employee", READERS),
    "staff:my_discipline_cases": listing(STAFF, denied=NF),
    "staff:discipline_case_create": form("employee", EDITORS, visible=READERS),
    "staff:discipline_case_list": listing(DISCIPLINE_READERS),
    "staff:discipline_case_detail": page(
        "discipline_case", DISCIPLINE_READERS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_add_violation": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_add_circumstance": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_explanation": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_council": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_extend": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_suspend": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_end_suspension": form(
        "suspension", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_decide": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_close": form(
        "discipline_case", EDITORS, visible=CASE_VISIBLE
    ),
    "staff:discipline_case_annul": form("decided_case", EDITORS, visible=CASE_VISIBLE),
    "staff:discipline_case_pdf": page(
        "decided_case", DISCIPLINE_READERS, visible=CASE_VISIBLE
    ),
    "staff:raise_due_list": listing(EDITORS),
    "staff:raise_due_export": listing(EDITORS),
    "staff:raise_record": form("employee", EDITORS, visible=READERS),
    "staff:early_raise_list": listing(EDITORS),
    "staff:early_raise_record": form("employee", EDITORS, visible=READERS),
    # recruitment: drives, council --------------------------------------------
    "recruitment:drive_list": listing(READERS),
    "recruitment:drive_create": listing(EDITORS, writers=EDITORS),
    "recruitment:drive_detail": page("drive", READERS),
    "recruitment:drive_update": form("drive", EDITORS, visible=READERS),
    "recruitment:drive_vacancies": form(
        "drive", EDITORS, readers=READERS, visible=READERS
    ),
    "recruitment:drive_vacancy_remove": action(
        "drive+vacancy", EDITORS, visible=READERS
    ),
    "recruitment:drive_channels": form(
        "drive", EDITORS, readers=READERS, visible=READERS
    ),
    "recruitment:drive_announce": action("drive", EDITORS, visible=READERS),
    "recruitment:drive_advance": action("drive", EDITORS, visible=READERS),
    "recruitment:drive_cancel": action("drive", EDITORS, visible=READERS),
    "recruitment:drive_council": form(
        "drive", EDITORS, readers=READERS, visible=READERS
    ),
    "recruitment:council_declare": action("drive", EDITORS, visible=READERS),
    "recruitment:council_member_replace": form(
        "drive+member", EDITORS, visible=READERS
    ),
    "recruitment:hint_resolve": action("hint", EDITORS, visible=READERS),
    # recruitment: applications, results --------------------------------------
    "recruitment:application_list": page("drive", READERS),
    "recruitment:application_create": form("drive", EDITORS, visible=READERS),
    "recruitment:application_detail": page("application", READERS),
    "recruitment:application_eligibility": action(
        "application", EDITORS, visible=READERS
    ),
    "recruitment:application_scores": form("application", EDITORS, visible=READERS),
    "recruitment:remark_request_create": action(
        "application", EDITORS, visible=READERS
    ),
    "recruitment:application_dossier": action("application", EDITORS, visible=READERS),
    "recruitment:application_cancel_admission": action(
        "application", EDITORS, visible=READERS
    ),
    "recruitment:application_hire": form("application", EDITORS, visible=READERS),
    "recruitment:merit_list": page("drive", READERS),
    "recruitment:results_publish": action("drive", EDITORS, visible=READERS),
    "recruitment:dossiers_cancel_missed": action("drive", EDITORS, visible=READERS),
    "recruitment:tie_break_create": action("drive_vacancy", EDITORS, visible=READERS),
    "recruitment:admit_next": action("drive_vacancy", EDITORS, visible=READERS),
    "recruitment:remark_list": page("drive", READERS),
    "recruitment:remark_decide": form("remark", EDITORS, visible=READERS),
    # recruitment: appointments, inspection -----------------------------------
    "recruitment:decision_list": listing(READERS),
    "recruitment:decision_create": listing(EDITORS, writers=EDITORS),
    "recruitment:decision_detail": page("decision", READERS),
    "recruitment:term_alerts": listing(READERS),
    "recruitment:red_flag_list": listing(DISCIPLINE_READERS),
    "recruitment:record_redirect": page("record", READERS, value=REDIRECT),
    "recruitment:inspection_case_list": listing(INSPECTION_READERS),
    "recruitment:inspection_case_create": listing(
        INSPECTORS, writers=INSPECTORS, own_writers=INSPECTORS
    ),
    "recruitment:inspection_case_detail": page("inspection_case", INSPECTION_READERS),
    "recruitment:finding_create": action(
        "inspection_case", INSPECTORS, visible=ADMINS, own_writers=INSPECTORS
    ),
    "recruitment:inspection_case_conclude": action(
        "inspection_case", INSPECTORS, visible=ADMINS, own_writers=INSPECTORS
    ),
    "recruitment:inspection_report_pdf": page("inspection_case", INSPECTION_READERS),
    "public:drive_list": public(),
    "public:drive_detail": public("public_drive"),
    "public:appointment_list": public(),
    # one-stop shop -------------------------------------------------------------
    "appraisals:dossier_today": listing(DOSSIER_READERS),
    "appraisals:dossier_at_risk": report(DOSSIER_READERS),
    "appraisals:dossier_list": listing(DOSSIER_READERS),
    "appraisals:dossier_detail": page("dossier", DOSSIER_READERS),
    "appraisals:apology_slip_create": form(
        "dossier", SLIP_ISSUERS, visible=DOSSIER_READERS
    ),
    "appraisals:apology_slip_pdf": page("dossier", DOSSIER_READERS),
    "appraisals:indicator_report": report(READERS),
    "appraisals:indicator_report_xlsx": report(READERS),
    "appraisals:indicator_report_pdf": report(READERS),
    # task register (appraisals/task_views): tasks belong to the assignee's unit
    "tasks:task_mine": listing(EVERYONE, norole=OK),
    "tasks:task_team": listing(READERS),
    "tasks:task_create": listing(TASK_MANAGERS, writers=TASK_MANAGERS),
    "tasks:task_detail": page("task", READERS),
    # Only the assignee reports progress; the in-scope task is nobody's here.
    "tasks:task_progress": action("task", NOBODY, visible=READERS),
    "tasks:task_review": action("task", TASK_MANAGERS, visible=READERS),
    "tasks:task_waive": action("task", TASK_MANAGERS, visible=READERS),
    "tasks:reform_plan_list": listing(READERS),
    "tasks:reform_plan_create": listing(REFORM_EDITORS, writers=REFORM_EDITORS),
    "tasks:reform_plan_detail": page("reform_plan", READERS),
    "tasks:reform_item_create": action("reform_plan", REFORM_EDITORS, visible=READERS),
    "tasks:reform_task_link": action("reform_item", REFORM_EDITORS, visible=READERS),
    "tasks:dashboard": report(READERS),
    "tasks:dashboard_xlsx": report(READERS),
    # annual appraisal (appraisals/appraisal_views): cycles of an agency
    "appraisal:my_appraisal": listing(
        EVERYONE, writers=NOBODY, norole=OK, norole_post=FORBID
    ),
    "appraisal:cycle_list": listing(READERS, writers=EDITORS),
    "appraisal:cycle_detail": page("cycle", READERS),
    "appraisal:cycle_advance": action(
        "cycle", EDITORS, visible=READERS, acts_when_empty=True
    ),
    "appraisal:cycle_publish": action(
        "cycle", EDITORS, visible=READERS, acts_when_empty=True
    ),
    "appraisal:cycle_compute": action(
        "cycle", EDITORS, visible=READERS, acts_when_empty=True
    ),
    "appraisal:cycle_meeting": form("cycle", REFORM_EDITORS, visible=READERS),
    "appraisal:cap_meter": page("cycle", READERS),
    "appraisal:cap_exception_create": form("cycle", EDITORS, visible=READERS),
    "appraisal:cycle_summary_pdf": page("cycle", READERS),
    "appraisal:appraisal_detail": page("appraisal", READERS),
    "appraisal:appraisal_propose": form("appraisal", PROPOSERS, visible=READERS),
    "appraisal:appraisal_decide": form("appraisal", DECIDERS, visible=READERS),
    "appraisal:appraisal_notify": action(
        "appraisal", DECIDERS, visible=READERS, acts_when_empty=True
    ),
    # Only the appraised person complains; the in-scope one has no account.
    "appraisal:complaint_file": form("appraisal", NOBODY, visible=READERS),
    "appraisal:appraisal_pdf": page("appraisal", READERS),
    "appraisal:complaint_resolve": form("complaint", DECIDERS, visible=READERS),
    # API ---------------------------------------------------------------------
    "api:dossier-list": Entry(
        methods="BOTH",
        get=_by_role(DOSSIER_READERS, OK, default=FORBID),
        post=_by_role(DOSSIER_WRITERS, WRITE, default=FORBID),
        norole=FORBID,
        anon=UNAUTH,
    ),
    "api:dossier-detail": page("dossier_code", DOSSIER_READERS, anon=UNAUTH),
    "api:employee-list": listing(READERS, anon=UNAUTH),
    "api:employee-detail": page("employee_code", READERS, anon=UNAUTH),
    "api:position-list": listing(READERS, anon=UNAUTH),
    "api:position-detail": page("position_code", READERS, anon=UNAUTH),
    # Everyone reads their own appraisals: no 403 on the list.
    "api:appraisal-list": listing(EVERYONE, norole=OK, anon=UNAUTH),
    "api:appraisal-detail": page("appraisal", READERS, anon=UNAUTH),
}


def scopes(entry: Entry) -> tuple[str, ...]:
    return ("in", "out") if entry.obj else ("-",)


def methods(entry: Entry) -> tuple[str, ...]:
    return ("GET",) if entry.skip_post else ("GET", "POST")


def expected(entry: Entry, principal: str, scope: str, method: str) -> Outcome:
    """What `principal` gets for `method` on the entry's record of `scope`
    ("-" for a screen without a record)."""
    table = entry.get if method == "GET" else entry.post
    wrong_method = (method == "POST" and entry.methods == "GET") or (
        method == "GET" and entry.methods == "POST"
    )
    anon = entry.anon_out if scope == "out" and entry.anon_out else entry.anon
    if principal == "anonymous" and anon in (LOGIN, UNAUTH, ADMIN_LOGIN):
        return anon  # authentication comes before the method check
    if wrong_method:
        return NA
    if principal == "anonymous":
        return table["hr"] if entry.account else anon
    if principal == "expired":
        if scope == "out" and entry.norole_out is not None:
            return entry.norole_out
        if method == "POST" and entry.norole_post is not None:
            return entry.norole_post
        return entry.norole
    if scope == "-":
        return table["hr" if principal == "sibling" else principal]
    if principal == "sibling":
        if scope == "in":
            return entry.sibling
        return table["hr"] if entry.sibling_out is None else entry.sibling_out
    if scope == "out":
        return entry.out if isinstance(entry.out, int | str) else entry.out[principal]
    return table[principal]


# Deviations found by this matrix and reported to the owners of the views; the
# cases run as strict xfails, so a fix shows up as XPASS: then drop the line.
# (url name, principal or "*", method) -> what happens instead.
KNOWN_ISSUES: dict[tuple[str, str, str], str] = {}


def known_issue(name: str, principal: str, method: str) -> str | None:
    return KNOWN_ISSUES.get((name, principal, method)) or KNOWN_ISSUES.get(
        (name, "*", method)
    )
