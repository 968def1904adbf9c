"""Discipline screens: access by role, the HR flow, refusals shown with their
citation, inspector reads logged, the employee's own cases, the decision PDF."""

import datetime as dt
import io
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hrms.models import AccessLog, LedgerEntry
from staff.models import DisciplineCase
from tests.factories import (
    make_decided_case,
    make_discipline_case,
    make_discipline_reference_data,
    make_employee,
    make_grade_step,
    make_reference_data,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _reference(db):
    make_reference_data()
    make_discipline_reference_data()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def employee(units, users):
    employee = make_employee(
        units.ccvc, "CCVC09", full_name="Hoàng Văn Minh", user=users.staff
    )
    make_grade_step(employee, "01.003", 2, effective_on=D(2024, 1, 1))
    return employee


@pytest.fixture
def case(employee):
    return make_discipline_case(
        employee,
        detected_on=D(2026, 1, 10),
        violations=[(D(2025, 12, 20), "Tự ý nghỉ việc 3 ngày")],
        explanation_submitted_on=D(2026, 1, 20),
        explanation_text="Tôi nhận khuyết điểm.",
    )


CASE_URLS = [
    "staff:discipline_case_detail",
    "staff:discipline_case_add_violation",
    "staff:discipline_case_add_circumstance",
    "staff:discipline_case_explanation",
    "staff:discipline_case_council",
    "staff:discipline_case_extend",
    "staff:discipline_case_suspend",
    "staff:discipline_case_decide",
    "staff:discipline_case_close",
    "staff:discipline_case_annul",
]
WRITE_URLS = CASE_URLS[1:]


@pytest.mark.parametrize("name", CASE_URLS)
def test_anonymous_users_go_to_the_login_page(client, case, name):
    response = client.get(reverse(name, args=[case.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    [
        "staff:discipline_case_list",
        "staff:raise_due_list",
        "staff:raise_due_export",
        "staff:early_raise_list",
    ],
)
def test_anonymous_users_go_to_the_login_page_from_the_lists(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302


@pytest.mark.parametrize("name", CASE_URLS)
def test_wrong_roles_get_403_or_404(client, users, case, name):
    url = reverse(name, args=[case.pk])
    # The unit leader reads the file but not its discipline cases.
    client.force_login(users.manager)
    assert client.get(url).status_code == 403
    client.force_login(users.other_manager)
    assert client.get(url).status_code == 404
    client.force_login(users.counter)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", WRITE_URLS)
def test_inspectors_and_the_employee_only_read(client, users, case, name):
    url = reverse(name, args=[case.pk])
    for user in (users.inspector, users.staff):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert DisciplineCase.objects.get().version == 1


def test_the_case_list_is_for_hr_admins_and_inspectors(client, users, case):
    url = reverse("staff:discipline_case_list")
    for user, status in [
        (users.manager, 403),
        (users.staff, 403),
        (users.hr, 200),
        (users.inspector, 200),
        (users.admin, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    assert client.delete(url).status_code == 405


def test_open_cases_list_overdue_first_with_a_countdown(client, users, employee):
    today = timezone.localdate()
    late = make_discipline_case(employee, detected_on=today - dt.timedelta(days=100))
    soon = make_discipline_case(employee, detected_on=today - dt.timedelta(days=10))
    make_decided_case(employee, decided_on=D(2025, 1, 1))
    client.force_login(users.hr)
    response = client.get(reverse("staff:discipline_case_list"))
    rows = list(response.context["page"])
    assert [r["case"] for r in rows] == [late, soon]
    assert rows[0]["clock"].is_overdue
    assert "days overdue" in response.content.decode()


def test_the_other_tabs_list_cases_by_status(client, users, employee, case):
    decided = make_decided_case(employee, decided_on=D(2025, 1, 1))
    client.force_login(users.inspector)
    response = client.get(reverse("staff:discipline_case_list"), {"status": "decided"})
    assert [r["case"] for r in response.context["page"]] == [decided]
    assert "Reprimand" in response.content.decode()


def test_an_inspector_reads_a_case_and_the_read_is_logged(client, users, case):
    client.force_login(users.inspector)
    response = client.get(reverse("staff:discipline_case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert "Decide" not in response.content.decode()
    log = AccessLog.objects.get(user=users.inspector)
    assert (log.object_type, log.object_id) == ("staff.disciplinecase", str(case.pk))


def test_the_employee_sees_their_own_cases(client, users, employee, case):
    client.force_login(users.staff)
    response = client.get(reverse("staff:my_discipline_cases"))
    assert case.reference in response.content.decode()
    response = client.get(reverse("staff:discipline_case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert response.context["is_own_case"]
    profile = client.get(reverse("staff:my_profile")).content.decode()
    assert case.reference in profile


def test_hr_runs_a_case_from_detection_to_decision(client, users, employee):
    client.force_login(users.hr)
    response = client.post(
        reverse("staff:discipline_case_create", args=[employee.pk]),
        {
            "detected_on": "10/01/2026",
            "severity": "less_serious",
            "description": "Tự ý nghỉ việc 3 ngày",
            "occurred_on": "20/12/2025",
            "explanation_deadline": "25/01/2026",
            "mitigating": "Tự giác báo cáo\nKhắc phục hậu quả",
        },
    )
    case = DisciplineCase.objects.get()
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert case.circumstances.count() == 2
    response = client.post(
        reverse("staff:discipline_case_explanation", args=[case.pk]),
        {"version": 1, "submitted_on": "20/01/2026", "text": "Tôi nhận lỗi."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("staff:discipline_case_council", args=[case.pk]),
        {
            "version": 2,
            "name_0": "Trần An",
            "role_0": "chair",
            "name_1": "Lê Bình",
            "role_1": "secretary",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("staff:discipline_case_decide", args=[case.pk]),
        {
            "version": 3,
            "form": "reprimand",
            "decision_number": "15/QĐ-SNV",
            "decided_on": "15/02/2026",
            "effective_on": "15/02/2026",
            "signer": "Nguyễn Văn Hùng",
            "signer_title": "Giám đốc Sở Nội vụ",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.form) == ("decided", "reprimand")
    assert LedgerEntry.objects.filter(action="discipline.decision").exists()
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "Annul" in detail


def test_the_decision_offers_the_forms_of_the_date(client, users, case):
    client.force_login(users.hr)
    url = reverse("staff:discipline_case_decide", args=[case.pk])
    offered = dict(client.get(url).context["form"].fields["form"].widget.choices)
    assert "salary_step_down" not in offered
    assert "removal_from_post" not in offered  # no leadership post
    assert {"reprimand", "warning", "forced_termination"} <= set(offered)
    old = client.get(url, {"on": "2024-06-01"})
    assert "salary_step_down" in dict(old.context["form"].fields["form"].widget.choices)
    html = client.get(url).content.decode()
    assert "Decree 172/2025" in html  # the refused forms show their citation


@pytest.mark.parametrize(
    ("data", "cited"),
    [
        ({"form": "removal_from_post"}, "leadership post"),
        ({"form": "salary_step_down"}, "Decree 172/2025"),
        ({"effective_on": "01/12/2025"}, "precedes the violation"),
    ],
)
def test_a_refused_decision_shows_the_rule_and_writes_nothing(
    client, users, case, data, cited
):
    client.force_login(users.hr)
    post = {
        "version": 1,
        "form": "reprimand",
        "decision_number": "15/QĐ-SNV",
        "decided_on": "15/02/2026",
        "effective_on": "15/02/2026",
        "signer": "Nguyễn Văn Hùng",
        **data,
    }
    response = client.post(
        reverse("staff:discipline_case_decide", args=[case.pk]), post
    )
    assert response.status_code == 200
    assert cited in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version) == ("open", 1)
    assert not LedgerEntry.objects.filter(action__startswith="discipline").exists()


def test_a_stale_form_is_refused(client, users, case):
    client.force_login(users.hr)
    response = client.post(
        reverse("staff:discipline_case_extend", args=[case.pk]),
        {"version": 9, "reason": "Phức tạp"},
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()


def _pdf_text(response) -> tuple[PdfReader, str]:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(unicodedata.normalize("NFC", text).split())


def test_the_decision_prints_as_an_administrative_document(client, users, employee):
    case = make_decided_case(
        employee,
        "warning",
        decided_on=D(2026, 2, 15),
        decision_number="15/QĐ-SNV",
        signer="Nguyễn Văn Hùng",
        signer_title="Giám đốc",
    )
    client.force_login(users.hr)
    url = reverse("staff:discipline_case_pdf", args=[case.pk])
    reader, text = _pdf_text(client.get(url))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "QUYẾT ĐỊNH",
        "Về việc kỷ luật cảnh cáo đối với ông Hoàng Văn Minh",
        "Số: 15/QĐ-SNV",
        "Thi hành kỷ luật bằng hình thức cảnh cáo",
        "Căn cứ Luật Cán bộ, công chức số 80/2025/QH15",
        "Nghị định số 172/2025/NĐ-CP",
        "Nguyễn Văn Hùng",
        "12 tháng",
    ):
        assert expected in text, expected
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    assert any("LiberationSerif" in f for f in fonts), fonts
    # The employee reads their own decision; an open case has none.
    client.force_login(users.staff)
    assert client.get(url).status_code == 200
    open_case = make_discipline_case(employee, detected_on=D(2026, 3, 1))
    url = reverse("staff:discipline_case_pdf", args=[open_case.pk])
    assert client.get(url).status_code == 404
