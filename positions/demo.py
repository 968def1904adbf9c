"""Demo organisation tree: a province with departments, a service centre, communes."""

from positions.models import OrgUnit

PROVINCE = ("P01", "UBND tỉnh Mẫu", OrgUnit.Kind.AGENCY)
# (code, name, kind, parent code)
UNITS = [
    ("P01-VP", "Văn phòng UBND tỉnh", OrgUnit.Kind.DEPARTMENT, "P01"),
    ("P01-SNV", "Sở Nội vụ", OrgUnit.Kind.DEPARTMENT, "P01"),
    ("P01-SNV-CCVC", "Phòng Công chức viên chức", OrgUnit.Kind.DEPARTMENT, "P01-SNV"),
    ("P01-SNV-TCBM", "Phòng Tổ chức bộ máy", OrgUnit.Kind.DEPARTMENT, "P01-SNV"),
    ("P01-SNV-CCHC", "Phòng Cải cách hành chính", OrgUnit.Kind.DEPARTMENT, "P01-SNV"),
    ("P01-STC", "Sở Tài chính", OrgUnit.Kind.DEPARTMENT, "P01"),
    ("P01-STC-NS", "Phòng Quản lý ngân sách", OrgUnit.Kind.DEPARTMENT, "P01-STC"),
    ("P01-SYT", "Sở Y tế", OrgUnit.Kind.DEPARTMENT, "P01"),
    ("P01-SGDDT", "Sở Giáo dục và Đào tạo", OrgUnit.Kind.DEPARTMENT, "P01"),
    ("P01-STP", "Sở Tư pháp", OrgUnit.Kind.DEPARTMENT, "P01"),
    ("P01-TTR", "Thanh tra tỉnh", OrgUnit.Kind.DEPARTMENT, "P01"),
    (
        "P01-TTHCC",
        "Trung tâm Phục vụ hành chính công tỉnh",
        OrgUnit.Kind.SERVICE_CENTER,
        "P01",
    ),
    ("P01-XA01", "UBND xã Hòa Bình", OrgUnit.Kind.COMMUNE, "P01"),
    ("P01-XA02", "UBND xã Tân Lập", OrgUnit.Kind.COMMUNE, "P01"),
    ("P01-XA03", "UBND xã Đồng Tâm", OrgUnit.Kind.COMMUNE, "P01"),
    ("P01-PHUONG01", "UBND phường Trung Tâm", OrgUnit.Kind.COMMUNE, "P01"),
]


def seed(ctx) -> None:
    code, name, kind = PROVINCE
    root = OrgUnit.objects.filter(code=code).first()
    if root is None:
        root = OrgUnit.objects.add_root({"code": code, "name": name, "kind": kind})
    by_code = {code: root}
    existing = {u.code: u for u in OrgUnit.objects.all()}
    for code, name, kind, parent_code in UNITS:
        unit = existing.get(code)
        if unit is None:
            parent = by_code[parent_code]
            parent.refresh_from_db()
            unit = OrgUnit.objects.add_child(
                parent, {"code": code, "name": name, "kind": kind}
            )
        by_code[code] = unit
    ctx.units = by_code
    ctx.write(f"units: {len(by_code)}")
