import datetime as dt
import io
import logging
import os
import re
import tempfile
import time
import unicodedata
from decimal import Decimal
from urllib.parse import unquote

from django.conf import settings
from django.template import Context, Template
from django.test import SimpleTestCase, override_settings
from pypdf import PdfReader

from hrms.pdf import (
    PdfRenderError,
    ascii_filename,
    html_to_pdf,
    pdf_response,
    render_pdf,
)
from hrms.templatetags.hrms_format import ddmmyyyy, vn_date_line, vnd

log = logging.getLogger(__name__)

SAMPLE = "pdf/sample_document.html"
SAMPLE_CONTEXT = {
    "doc_superior_body": "UBND tỉnh Mẫu",
    "doc_issuer": "Sở Nội vụ",
    "doc_number": "12/QĐ-SNV",
    "doc_place": "Hà Nội",
    "doc_date": dt.date(2026, 3, 5),
    "doc_title": "Quyết định",
    "doc_summary": "Về việc khen thưởng công chức",
    "signer_authority": "KT. Giám đốc",
    "signer_title": "Phó Giám đốc",
    "signer_name": "Lê Văn Bình",
    "recipients": ["Như Điều 3", "Lưu: VT, CCVC"],
    "award": 5475600,
}
# Enough extra paragraphs to push the sample onto a second page.
TWO_PAGES = [
    f"Đoạn bổ sung số {i}: công chức thực hiện nhiệm vụ được giao đúng tiến độ, "
    "bảo đảm chất lượng theo quy định của pháp luật."
    for i in range(20)
]
BASE_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-BoldOblique",
    "Courier-Oblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-BoldOblique",
    "Helvetica-Oblique",
    "Symbol",
    "Times-Bold",
    "Times-BoldItalic",
    "Times-Italic",
    "Times-Roman",
    "ZapfDingbats",
}


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _text(reader: PdfReader) -> str:
    return _normal(" ".join(page.extract_text() for page in reader.pages))


def _base_name(font) -> str:
    """ "/AAAAAA+LiberationSerif-Bold" -> "LiberationSerif-Bold"."""
    return str(font["/BaseFont"]).lstrip("/").split("+")[-1]


def _resource_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font in the pages' resources, and whether its file is embedded."""
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[_base_name(font)] = embedded
    return fonts


def _fonts_drawing_text(reader: PdfReader) -> set[str]:
    """The fonts that actually draw visible text in the content streams."""
    used = set()

    def visit(text, _cm, _tm, font_dict, _font_size) -> None:
        if text.strip() and font_dict is not None:
            used.add(_base_name(font_dict))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return used


class RenderPdfTests(SimpleTestCase):
    def setUp(self) -> None:
        # The fonts must load by absolute path whatever the working directory.
        self.addCleanup(os.chdir, os.getcwd())
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        os.chdir(self.tmp.name)

    def render(self, **extra) -> PdfReader:
        data = render_pdf(SAMPLE, {**SAMPLE_CONTEXT, **extra})
        self.assertTrue(data.startswith(b"%PDF-"))
        return PdfReader(io.BytesIO(data))

    def test_it_round_trips_vietnamese_text(self) -> None:
        text = _text(self.render())
        for expected in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "UBND TỈNH MẪU",
            "SỞ NỘI VỤ",
            "Số: 12/QĐ-SNV",
            "Hà Nội, ngày 05 tháng 3 năm 2026",
            "QUYẾT ĐỊNH",
            "Về việc khen thưởng công chức",
            "Nước Cộng hòa Xã hội Chủ nghĩa Việt Nam",
            "Nguyễn Thị Hường, Phạm Đức Thắng, Đặng Hữu Lộc, Trần Thị Thuỷ — ỹ ữ ự ẫ ặ",
            "5.475.600 đ",
            "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC",
            "Lê Văn Bình",
        ):
            with self.subTest(expected=expected):
                self.assertIn(_normal(expected), text)

    def test_it_embeds_liberation_serif_and_draws_no_base_14_font(self) -> None:
        reader = self.render()
        fonts = _resource_fonts(reader)
        self.assertIn("LiberationSerif", fonts)
        self.assertIn("LiberationSerif-Bold", fonts)
        self.assertIn("LiberationSerif-Italic", fonts)
        self.assertTrue(fonts["LiberationSerif"])
        self.assertTrue(fonts["LiberationSerif-Bold"])
        used = _fonts_drawing_text(reader)
        self.assertTrue(used)
        self.assertFalse(used & BASE_14, used)
        self.assertTrue(all(fonts[name] for name in used), fonts)
        # ReportLab names Helvetica in every page's set-up, without drawing with it;
        # no other base-14 font may appear at all.
        self.assertLessEqual(set(fonts) & BASE_14, {"Helvetica"})

    def test_it_renders_two_pages_numbered_from_the_second(self) -> None:
        render_pdf(SAMPLE, SAMPLE_CONTEXT)  # warm up: fonts parsed, templates cached
        started = time.perf_counter()
        reader = self.render(extra_paragraphs=TWO_PAGES)
        log.info("2-page render: %.0f ms", (time.perf_counter() - started) * 1000)
        self.assertEqual(len(reader.pages), 2)
        first, second = (
            page.extract_text().strip().split("\n") for page in reader.pages
        )
        self.assertEqual(first[0].strip(), "UBND TỈNH MẪU")
        self.assertEqual(second[0].strip(), "2")
        self.assertIn("Lê Văn Bình", _normal(second[-1]))

    def test_it_refuses_a_font_outside_the_font_folder(self) -> None:
        outside = (settings.BASE_DIR / "static" / "Other.ttf").as_posix()
        html = f"""<html><head><style>
            @font-face {{ font-family: "Other"; src: url("{outside}"); }}
            body {{ font-family: "Other"; }}
            </style></head><body><p>Việt Nam</p></body></html>"""
        with self.assertRaisesRegex(PdfRenderError, "outside the directories"):
            html_to_pdf(html)

    @override_settings(FONT_DIR="/nonexistent/fonts")
    def test_it_raises_when_the_fonts_are_missing(self) -> None:
        with self.assertRaisesRegex(PdfRenderError, "font failure"):
            render_pdf(SAMPLE, SAMPLE_CONTEXT)


class PdfResponseTests(SimpleTestCase):
    def test_it_sends_an_attachment_with_a_vietnamese_name(self) -> None:
        response = pdf_response(
            SAMPLE, SAMPLE_CONTEXT, filename="Quyết định 12-QĐ-SNV.pdf"
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        header = response["Content-Disposition"]
        self.assertTrue(header.startswith("attachment; "))
        self.assertIn('filename="Quyet dinh 12-QD-SNV.pdf"', header)
        encoded = re.search(r"filename\*=UTF-8''(\S+)", header).group(1)
        self.assertEqual(unquote(encoded), "Quyết định 12-QĐ-SNV.pdf")
        self.assertTrue(header.isascii())

    def test_it_keeps_an_ascii_name_plain(self) -> None:
        response = pdf_response(SAMPLE, SAMPLE_CONTEXT, filename="decision-12")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="decision-12.pdf"'
        )

    def test_it_folds_unsafe_characters_in_the_fallback(self) -> None:
        self.assertEqual(ascii_filename('Đơn "xin"/nghỉ.pdf'), "Don _xin__nghi.pdf")


class FormatFilterTests(SimpleTestCase):
    def test_it_formats_amounts_in_dong(self) -> None:
        self.assertEqual(vnd(5475600), "5.475.600 đ")
        self.assertEqual(vnd(Decimal("5475600.50")), "5.475.601 đ")
        self.assertEqual(vnd(0), "0 đ")
        self.assertEqual(vnd(999), "999 đ")
        self.assertEqual(vnd(-1500), "-1.500 đ")
        self.assertEqual(vnd(None), "")
        self.assertEqual(vnd("n/a"), "n/a")

    def test_it_formats_dates_as_ddmmyyyy(self) -> None:
        self.assertEqual(ddmmyyyy(dt.date(2026, 3, 5)), "05/03/2026")
        self.assertEqual(ddmmyyyy(None), "")

    @override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
    def test_it_formats_an_aware_datetime_in_local_time(self) -> None:
        late_utc = dt.datetime(2026, 3, 4, 18, 30, tzinfo=dt.UTC)
        self.assertEqual(ddmmyyyy(late_utc), "05/03/2026")

    def test_it_writes_the_date_line_as_decree_30_does(self) -> None:
        self.assertEqual(
            vn_date_line("Hà Nội", dt.date(2026, 3, 5)),
            "Hà Nội, ngày 05 tháng 3 năm 2026",
        )
        self.assertEqual(
            vn_date_line("Huế", dt.date(2026, 2, 1)), "Huế, ngày 01 tháng 02 năm 2026"
        )
        self.assertEqual(
            vn_date_line("Cần Thơ", dt.date(2025, 12, 25)),
            "Cần Thơ, ngày 25 tháng 12 năm 2025",
        )
        self.assertEqual(vn_date_line("Hà Nội", None), "Hà Nội, ngày … tháng … năm …")

    def test_it_offers_the_filters_to_templates(self) -> None:
        template = Template(
            "{% load hrms_format %}{{ amount|vnd }}|{{ day|ddmmyyyy }}|"
            "{% vn_date_line place day %}"
        )
        context = Context(
            {"amount": 1234567, "day": dt.date(2026, 1, 9), "place": "Huế"}
        )
        self.assertEqual(
            template.render(context),
            "1.234.567 đ|09/01/2026|Huế, ngày 09 tháng 01 năm 2026",
        )
