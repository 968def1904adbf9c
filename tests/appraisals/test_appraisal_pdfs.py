# ruff: noqa: F811 (pytest fixtures imported from the view tests)
"""The appraisal form of one person and the agency's summary list, as PDFs read
back with pypdf: Vietnamese text with every diacritic, and the embedded fonts."""

import io
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from appraisals import appraisal_services as svc
from tests.appraisals.test_views_appraisal import (  # noqa: F401 (fixtures)
    agency,
    appraisal_of,
    english_ui,
    proposed,
    to_stage,
)

pytestmark = pytest.mark.django_db


def _read(response) -> tuple[str, set[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return " ".join(unicodedata.normalize("NFC", text).split()), fonts


@pytest.fixture
def decided(agency, users):
    lan = appraisal_of(agency, "S101")
    svc.submit_self_assessment(
        appraisal=lan, text="Hoàn thành đầy đủ nhiệm vụ được giao.", actor=users.staff
    )
    to_stage(agency, "manager_proposal")
    lan = proposed(agency, users)
    lan = svc.decide_appraisal(
        appraisal=lan,
        level="hoan_thanh_tot",
        actor=users.admin,
        expected_version=lan.version,
        note="Đúng đề xuất",
    )
    return lan


def test_the_appraisal_form_reads_back_in_vietnamese(client, decided, users):
    client.force_login(users.staff)
    response = client.get(reverse("appraisal:appraisal_pdf", args=[decided.pk]))
    assert "Phi" in response["Content-Disposition"]
    text, fonts = _read(response)
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Họ và tên: Bùi Thị Lan" in text
    assert "Đơn vị công tác: Phòng Công chức viên chức" in text
    assert "Hoàn thành đầy đủ nhiệm vụ được giao." in text
    assert "Xếp loại chất lượng: Hoàn thành tốt nhiệm vụ" in text
    assert "2026-03" in text and "ND335-2025" in text
    assert "NGƯỜI TỰ ĐÁNH GIÁ" in text and "NGƯỜI QUẢN LÝ TRỰC TIẾP" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text
    assert decided.snapshot_hash in text
    assert "Bản dự thảo" not in text
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= fonts


def test_an_undecided_form_is_marked_as_a_draft(client, agency, users):
    lan = appraisal_of(agency, "S101")
    client.force_login(users.manager)
    text, _fonts = _read(client.get(reverse("appraisal:appraisal_pdf", args=[lan.pk])))
    assert "Bản dự thảo: chưa có quyết định của cấp có thẩm quyền" in text
    assert "(Chưa quyết định)" in text


def test_the_form_is_404_outside_the_scope(client, agency, users):
    lan = appraisal_of(agency, "S101")
    client.force_login(users.other_manager)
    response = client.get(reverse("appraisal:appraisal_pdf", args=[lan.pk]))
    assert response.status_code == 404


def test_the_summary_list_numbers_the_rows_and_counts_the_levels(
    client, decided, agency, users
):
    client.force_login(users.admin)
    response = client.get(reverse("appraisal:cycle_summary_pdf", args=[agency.pk]))
    text, fonts = _read(response)
    assert "DANH SÁCH TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI" in text
    assert "STT Họ và tên" in text
    assert "1 Phạm Văn Hùng" in text or "1 Bùi Thị Lan" in text
    assert "Bùi Thị Lan Chuyên viên" in text
    assert "Hoàn thành tốt nhiệm vụ" in text
    assert "Tổng hợp: 2 người" in text
    assert "- Hoàn thành tốt nhiệm vụ: 1 người" in text
    assert "- Hoàn thành xuất sắc nhiệm vụ: 0 người" in text
    assert "Chưa quyết định" in text
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= fonts


def test_a_managers_summary_lists_only_their_units(client, decided, agency, users):
    client.force_login(users.other_manager)
    response = client.get(reverse("appraisal:cycle_summary_pdf", args=[agency.pk]))
    text, _fonts = _read(response)
    assert "Phạm Văn Hùng" in text and "Bùi Thị Lan" not in text
    assert "Tổng hợp: 1 người" in text
    client.force_login(users.staff)
    response = client.get(reverse("appraisal:cycle_summary_pdf", args=[agency.pk]))
    assert response.status_code == 404
