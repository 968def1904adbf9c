"""The counter officer's screens: my dossiers today, the at-risk list, the apology
slip (form 04) and its PDF.

Clock: Mon 16/3/2026 18:00 (A1, received Tue 10/3, due Tue 17/3 17:00, is at risk
and a slip now comes late) or Fri 13/3/2026 18:00 (B1, received Mon 9/3, due Mon
16/3 17:00, is at risk over the weekend and a slip now is in time).
"""

import datetime as dt
import io
import unicodedata

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appraisals.models import ApologySlip, Dossier
from hrms.models import AccessLog, LedgerEntry
from tests.appraisals.conftest import at
from tests.factories import make_dossier, make_step

pytestmark = pytest.mark.django_db

MONDAY_EVENING = at(2026, 3, 16, 18)
FRIDAY_EVENING = at(2026, 3, 13, 18)


@pytest.fixture
def counter(one_stop, users):
    """users.counter is Đinh Thị Thu Trang (S003) of P01-TTHCC."""
    trang = one_stop.officers.trang
    trang.user = users.counter
    trang.save()
    return users.counter


@pytest.fixture
def desk(one_stop, counter):
    """A1 at risk on Monday evening, with an open processing step of S001; A2
    rescheduled already; A3 returned; X1 at risk in another unit."""
    marriage, tthcc = one_stop.procedures.marriage, one_stop.units.tthcc
    trang, lan = one_stop.officers.trang, one_stop.officers.lan
    a1 = make_dossier(
        marriage,
        tthcc,
        "A1",
        received_at=at(2026, 3, 10, 9),
        receiving_officer=trang,
        status="processing",
    )
    make_step(
        a1,
        1,
        trang,
        name="receive",
        started_at=at(2026, 3, 10, 9),
        due_at=at(2026, 3, 10, 17),
        finished_at=at(2026, 3, 10, 9, 30),
    )
    make_step(a1, 2, lan, started_at=at(2026, 3, 11, 8), due_at=at(2026, 3, 16, 17))
    a2 = make_dossier(
        marriage,
        tthcc,
        "A2",
        received_at=at(2026, 3, 5, 9),
        receiving_officer=trang,
        rescheduled_due_at=at(2026, 3, 17, 17),
    )
    ApologySlip.objects.create(
        dossier=a2,
        issued_at=at(2026, 3, 10, 9),
        previous_due_at=a2.due_at,
        new_due_at=at(2026, 3, 17, 17),
        reason="Chờ xác minh",
    )
    make_dossier(
        marriage,
        tthcc,
        "A3",
        received_at=at(2026, 3, 16, 8),
        receiving_officer=trang,
        returned_at=at(2026, 3, 16, 11),
        status="returned",
    )
    make_dossier(marriage, one_stop.units.xa, "X1", received_at=at(2026, 3, 10, 9))
    return a1


def _slip_url(dossier) -> str:
    return reverse("appraisals:apology_slip_create", args=[dossier.pk])


def _post_slip(client, dossier, **overrides):
    data = {
        "reason": "Chờ ý kiến thẩm định của Sở Tư pháp",
        "responsible_officers": "S001",
        "new_due_at": "2026-03-20T17:00",
    }
    data.update(overrides)
    return client.post(_slip_url(dossier), data)


# Access ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["dossier_today", "dossier_at_risk", "dossier_list", "indicator_report"]
)
def test_pages_send_anonymous_visitors_to_login(client, name):
    url = reverse(f"appraisals:{name}")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_slip_pages_send_anonymous_visitors_to_login(client, desk):
    for url in (
        _slip_url(desk),
        reverse("appraisals:apology_slip_pdf", args=[desk.pk]),
        reverse("appraisals:dossier_detail", args=[desk.pk]),
    ):
        assertRedirects(client.get(url), f"/accounts/login/?next={url}")


@pytest.mark.parametrize("name", ["dossier_today", "dossier_at_risk"])
def test_counter_pages_are_403_for_roles_without_dossiers(client, users, name):
    client.force_login(users.staff)
    assert client.get(reverse(f"appraisals:{name}")).status_code == 403
    client.force_login(users.outsider)
    assert client.get(reverse(f"appraisals:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["dossier_today", "dossier_at_risk"])
def test_counter_pages_refuse_post(client, counter, name):
    client.force_login(counter)
    assert client.post(reverse(f"appraisals:{name}")).status_code == 405


def test_the_slip_form_refuses_other_methods(client, counter, desk):
    client.force_login(counter)
    assert client.put(_slip_url(desk)).status_code == 405
    assert client.delete(_slip_url(desk)).status_code == 405


def test_the_slip_form_is_404_outside_the_scope(client, users, desk, one_stop):
    other = Dossier.objects.get(code="X1")
    client.force_login(users.counter)
    assert client.get(_slip_url(other)).status_code == 404
    client.force_login(users.other_manager)
    assert client.get(_slip_url(desk)).status_code == 404


def test_the_slip_form_is_403_for_a_reader_who_may_not_issue(client, users, desk):
    client.force_login(users.admin)
    assert client.get(_slip_url(desk)).status_code == 200
    # An inspector of the province reads the dossier, and may not issue.
    from hrms.roles import grant_role

    grant_role(user=users.inspector, role="inspector", unit=desk.unit)
    client.force_login(users.inspector)
    assert client.get(_slip_url(desk)).status_code == 403
    assert client.post(_slip_url(desk), {}).status_code == 403
    assert not ApologySlip.objects.filter(dossier=desk).exists()


# My dossiers today ---------------------------------------------------------------


def test_my_dossiers_today_lists_received_or_due_today(client, counter, desk):
    client.force_login(counter)
    with time_machine.travel(at(2026, 3, 17, 9), tick=False):
        response = client.get(reverse("appraisals:dossier_today"))
    codes = [d.code for d in response.context["page"]]
    # A1 and A2 are due Tue 17/3; A3 was received the day before; X1 is not hers.
    assert codes == ["A1", "A2"]
    assertContains(response, 'data-dossier="A1" class="table-warning"')
    assertContains(response, 'data-flag="at-risk"')


def test_my_dossiers_today_includes_dossiers_where_she_holds_a_step(
    client, users, one_stop, desk
):
    lan = one_stop.officers.lan
    lan.user = users.staff
    lan.save()
    from hrms.roles import grant_role

    grant_role(user=users.staff, role="counter", unit=one_stop.units.tthcc)
    client.force_login(users.staff)
    with time_machine.travel(at(2026, 3, 17, 9), tick=False):
        response = client.get(reverse("appraisals:dossier_today"))
    assert [d.code for d in response.context["page"]] == ["A1"]


def test_my_dossiers_today_without_a_personnel_file(client, users, one_stop):
    client.force_login(users.counter)
    response = client.get(reverse("appraisals:dossier_today"))
    assert response.status_code == 200
    assert response.context["officer"] is None
    assert list(response.context["page"]) == []


# At-risk list ----------------------------------------------------------------------


def test_the_at_risk_list_shows_due_within_a_working_day(
    client, counter, desk, django_assert_max_num_queries
):
    client.force_login(counter)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("appraisals:dossier_at_risk"))
    assert response.context["unit"].code == "P01-TTHCC"
    codes = [d.code for d in response.context["page"]]
    assert codes == ["A1", "A2"]  # A2 is due again (its new date) on Tue 17/3
    assertContains(response, _slip_url(desk))
    assertContains(response, "Already rescheduled once", count=1)


def test_the_at_risk_list_is_404_for_a_unit_outside_the_scope(client, counter, desk):
    client.force_login(counter)
    url = reverse("appraisals:dossier_at_risk") + "?unit=P01-XA01"
    assert client.get(url).status_code == 404


def test_the_at_risk_list_shows_overdue_dossiers_without_a_slip(client, counter, desk):
    client.force_login(counter)
    with time_machine.travel(at(2026, 3, 18, 9), tick=False):
        response = client.get(reverse("appraisals:dossier_at_risk"))
    assert [d.code for d in response.context["overdue"]] == ["A1"]
    assert response.context["overdue_count"] == 1


def test_the_at_risk_query_count_does_not_grow(
    client, counter, desk, one_stop, django_assert_num_queries
):
    client.force_login(counter)
    url = reverse("appraisals:dossier_at_risk")
    with time_machine.travel(MONDAY_EVENING, tick=False):
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for i in range(15):
            make_dossier(
                one_stop.procedures.marriage,
                one_stop.units.tthcc,
                f"R{i:02d}",
                received_at=at(2026, 3, 10, 10),
                receiving_officer=one_stop.officers.trang,
            )
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
    assert response.context["page"].paginator.count == 17
    assert len(small) <= 12


# Issuing the slip ------------------------------------------------------------------


def test_the_slip_form_offers_the_officers_of_open_steps(client, counter, desk):
    client.force_login(counter)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        response = client.get(_slip_url(desk))
    assert response.status_code == 200
    assert response.context["form"].initial["responsible_officers"] == "S001"
    assertContains(response, 'id="timing-warning"')


def test_a_slip_issued_in_time_moves_the_date(client, counter, one_stop):
    b1 = make_dossier(
        one_stop.procedures.marriage,
        one_stop.units.tthcc,
        "B1",
        received_at=at(2026, 3, 9, 9),
        receiving_officer=one_stop.officers.trang,
    )
    assert b1.due_at == at(2026, 3, 16, 17)
    client.force_login(counter)
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        assert client.get(_slip_url(b1)).context["timing"].ok
        response = _post_slip(client, b1, new_due_at="2026-03-18T17:00")
    assertRedirects(response, reverse("appraisals:dossier_detail", args=[b1.pk]))
    slip = ApologySlip.objects.get(dossier=b1)
    assert not slip.is_issued_late
    assert slip.issued_by == counter
    assert slip.new_due_at == at(2026, 3, 18, 17)
    assert [o.employee_code for o in slip.responsible_officers.all()] == ["S001"]
    b1.refresh_from_db()
    assert b1.rescheduled_due_at == at(2026, 3, 18, 17)
    assert LedgerEntry.objects.filter(action="apology_slip.issue").count() == 1


def test_a_late_slip_is_recorded_and_flagged(client, counter, desk):
    client.force_login(counter)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        response = _post_slip(client, desk)
        assertRedirects(
            response,
            reverse("appraisals:dossier_detail", args=[desk.pk]),
            fetch_redirect_response=False,
        )
        detail = client.get(response["Location"])
    slip = ApologySlip.objects.get(dossier=desk)
    assert slip.is_issued_late
    assertContains(detail, 'id="slip-flag"')
    assertContains(detail, reverse("appraisals:apology_slip_pdf", args=[desk.pk]))
    assertContains(detail, 'class="alert alert-warning', count=1)


def test_a_second_reschedule_is_refused_with_the_rule(client, counter, desk):
    a2 = Dossier.objects.get(code="A2")
    client.force_login(counter)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        page = client.get(_slip_url(a2))
        assertContains(page, 'id="reschedule-refused"')
        response = _post_slip(client, a2, new_due_at="2026-03-24T17:00")
    assert response.status_code == 200
    errors = response.context["form"].errors["new_due_at"]
    assert "may be moved only once" in errors[0]
    assert ApologySlip.objects.filter(dossier=a2).count() == 1
    a2.refresh_from_db()
    assert a2.rescheduled_due_at == at(2026, 3, 17, 17)


def test_the_slip_form_checks_its_input(client, counter, desk):
    client.force_login(counter)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        response = _post_slip(
            client,
            desk,
            reason="",
            responsible_officers="S001, NOBODY",
            new_due_at="2026-03-16T09:00",
        )
    form = response.context["form"]
    assert set(form.errors) == {"reason", "responsible_officers"}
    assert "NOBODY" in form.errors["responsible_officers"][0]
    with time_machine.travel(MONDAY_EVENING, tick=False):
        response = _post_slip(client, desk, new_due_at="2026-03-16T09:00")
    assert (
        "must be after the due time" in response.context["form"].errors["new_due_at"][0]
    )
    assert not ApologySlip.objects.filter(dossier=desk).exists()


# The PDF (form 04) ---------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, _normal(" ".join(page.extract_text() for page in reader.pages))


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def test_the_slip_pdf_is_form_04_in_vietnamese(client, counter, desk, one_stop):
    client.force_login(counter)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        _post_slip(client, desk)
        response = client.get(reverse("appraisals:apology_slip_pdf", args=[desk.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=UTF-8''Phi%E1%BA%BFu%20xin%20l%E1%BB%97i"
        in (response["Content-Disposition"])
    )
    reader, text = _pdf_text(response.content)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Mẫu số 04" in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH" in text  # the issuing body
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Mã số hồ sơ: A1" in text
    assert "Đăng ký kết hôn" in text
    assert "Lý do: Chờ ý kiến thẩm định của Sở Tư pháp" in text
    assert "Cán bộ, công chức chịu trách nhiệm: Bùi Thị Lan." in text
    assert "17 giờ 00 phút, ngày 20 tháng 3 năm 2026" in text  # the new date
    assert "17 giờ 00 phút, ngày 17 tháng 3 năm 2026" in text  # the old one
    assert "Mong nhận được sự thông cảm của ông/bà/tổ chức vì sự chậm trễ này" in text
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= _fonts(reader)


def test_the_slip_pdf_is_404_without_a_slip_or_outside_the_scope(
    client, users, counter, desk
):
    client.force_login(counter)
    url = reverse("appraisals:apology_slip_pdf", args=[desk.pk])
    assert client.get(url).status_code == 404  # no slip yet
    a2 = Dossier.objects.get(code="A2")
    client.force_login(users.other_manager)
    url = reverse("appraisals:apology_slip_pdf", args=[a2.pk])
    assert client.get(url).status_code == 404


def test_the_slip_pdf_refuses_post(client, counter, desk):
    a2 = Dossier.objects.get(code="A2")
    client.force_login(counter)
    url = reverse("appraisals:apology_slip_pdf", args=[a2.pk])
    assert client.post(url).status_code == 405


def test_an_inspector_reading_a_slip_is_logged(client, users, desk):
    from hrms.roles import grant_role

    grant_role(
        user=users.inspector,
        role="inspector",
        unit=desk.unit,
        valid_until=dt.date(2027, 12, 31),
    )
    a2 = Dossier.objects.get(code="A2")
    client.force_login(users.inspector)
    response = client.get(reverse("appraisals:apology_slip_pdf", args=[a2.pk]))
    assert response.status_code == 200
    log = AccessLog.objects.get(user=users.inspector)
    assert (log.object_type, log.object_repr) == ("appraisals.dossier", "A2")
    assertNotContains(
        client.get(reverse("appraisals:dossier_detail", args=[a2.pk])),
        "Issue apology slip",
    )


@pytest.fixture(autouse=True)
def _english_ui(settings):
    """These tests read the English source messages; the Vietnamese UI has its own
    catalogue test (tests/hrms/test_i18n.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
