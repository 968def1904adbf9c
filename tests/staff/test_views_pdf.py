import datetime as dt
import io
import unicodedata
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hrms.models import AccessLog
from staff.services import record_commendation
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


@pytest.fixture
def trang(units):
    employee = make_employee(
        units.ccvc,
        "CCVC07",
        full_name="Đinh Thị Thu Trang",
        gender="F",
        date_of_birth=dt.date(1986, 3, 21),
        national_id="034186001234",
        joined_on=dt.date(2010, 8, 1),
    )
    make_grade_step(employee, "01.003", 1, effective_on=dt.date(2010, 8, 1))
    make_grade_step(
        employee, "01.003", 3, effective_on=dt.date(2016, 8, 1), reason="correction"
    )
    position = make_position(units.ccvc, "CCVC-VT07", title="Chuyên viên tổ chức")
    make_assignment(employee, position, starts_on=dt.date(2012, 1, 1))
    record_commendation(
        employee=employee,
        level="giay_khen",
        title="Hoàn thành xuất sắc nhiệm vụ năm 2014",
        decided_on=dt.date(2015, 1, 20),
        decision_number="15/QĐ-SNV",
    )
    return employee


def _url(employee) -> str:
    return reverse("staff:employee_pdf", args=[employee.pk])


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _read(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = _normal(" ".join(page.extract_text() for page in reader.pages))
    return reader, text


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def test_it_sends_anonymous_users_to_the_login_page(client, trang):
    response = client.get(_url(trang))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_accepts_only_get(client, users, trang):
    client.force_login(users.hr)
    assert client.post(_url(trang)).status_code == 405


def test_another_units_manager_gets_no_pdf(client, users, trang):
    client.force_login(users.other_manager)
    assert client.get(_url(trang)).status_code == 404


def test_the_summary_is_in_full_vietnamese(client, users, trang):
    client.force_login(users.hr)
    # The document is Vietnamese even when the interface is in English.
    response = client.get(_url(trang), HTTP_ACCEPT_LANGUAGE="en")
    reader, text = _read(response)
    for expected in (
        "TÓM TẮT HỒ SƠ CÁN BỘ, CÔNG CHỨC",
        "Đinh Thị Thu Trang",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ NỘI VỤ",
        "PHÒNG CÔNG CHỨC VIÊN CHỨC",
        "Số: CCVC07/TTHS",
        "Ngày sinh: 21/03/1986",
        "Giới tính: Nữ",
        "034186001234",
        "Chuyên viên tổ chức (CCVC-VT07)",
        "Chuyên viên (mã ngạch 01.003)",
        "Bậc 3, hưởng từ ngày 01/08/2016",
        "Hệ số lương: 3,00",
        "2.340.000 đ",
        "7.020.000 đ",  # 3.00 × 2,340,000
        "Được phân công vào vị trí Chuyên viên tổ chức (CCVC-VT07)",
        "Giấy khen: Hoàn thành xuất sắc nhiệm vụ năm 2014",
        "(quyết định số 15/QĐ-SNV)",
        "NGƯỜI LẬP",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert _normal(expected) in text, expected
    today = timezone.localdate()
    assert f"năm {today.year}" in text
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= _fonts(reader)
    disposition = unquote(response["Content-Disposition"])
    assert "Tóm tắt hồ sơ CCVC07.pdf" in disposition


def test_the_manager_gets_a_masked_citizen_id(client, users, trang):
    client.force_login(users.manager)
    _reader, text = _read(client.get(_url(trang)))
    assert "•••••••••234" in text
    assert "034186001234" not in text


def test_an_inspectors_pdf_is_logged(client, users, trang):
    client.force_login(users.inspector)
    _read(client.get(_url(trang)))
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.path) == (
        users.inspector,
        str(trang.pk),
        _url(trang),
    )
