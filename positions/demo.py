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
    ctx.positions = seed_positions(ctx)


# (suffix, title by unit kind, group, grade code, headcount or None = scaled)
POSITION_TEMPLATES = [
    (
        "LD",
        {
            "department": "Giám đốc",
            "service_center": "Giám đốc Trung tâm",
            "commune": "Chủ tịch UBND",
        },
        "leadership",
        "01.002",
        1,
    ),
    (
        "PLD",
        {
            "department": "Phó Giám đốc",
            "service_center": "Phó Giám đốc Trung tâm",
            "commune": "Phó Chủ tịch UBND",
        },
        "leadership",
        "01.002",
        2,
    ),
    ("CVC", "Chuyên viên chính", "professional", "01.002", 2),
    ("CV", "Chuyên viên", "professional", "01.003", None),
    ("CS", "Cán sự", "professional", "01.004", 1),
    ("NV", "Nhân viên phục vụ", "support", "01.005", 1),
]
# Sub-departments (phòng) are led by a Trưởng phòng.
SUBUNIT_LEADER_TITLES = ("Trưởng phòng", "Phó Trưởng phòng")


def seed_positions(ctx) -> list:
    """Job positions for every unit below the province, sized for ctx.staff people."""
    from positions.models import Grade, JobPosition
    from positions.services import create_position

    grades = {g.code: g for g in Grade.objects.all()}
    units = [u for code, u in ctx.units.items() if code != PROVINCE[0]]
    fixed = sum(h for *_, h in POSITION_TEMPLATES if h)
    # A little more room than people, so the vacancy list has something to show.
    scaled = max(2, round(ctx.staff * 1.1 / max(len(units), 1)) - fixed)
    existing = {p.code: p for p in JobPosition.objects.select_related("unit", "grade")}
    positions = []
    for unit in units:
        is_subunit = unit.depth > 2
        for suffix, title, group, grade_code, headcount in POSITION_TEMPLATES:
            code = f"{unit.code}-{suffix}"
            if code in existing:
                positions.append(existing[code])
                continue
            if isinstance(title, dict):
                title = (
                    SUBUNIT_LEADER_TITLES[suffix == "PLD"]
                    if is_subunit
                    else title.get(unit.kind, title["department"])
                )
            positions.append(
                create_position(
                    unit=unit,
                    code=code,
                    title=f"{title} – {unit.name}",
                    group=group,
                    grade=grades[grade_code],
                    headcount=headcount or scaled,
                    approval_decision_number="125/QĐ-UBND",
                    approval_signer="Chủ tịch UBND tỉnh",
                )
            )
    ctx.write(f"positions: {len(positions)}")
    return positions
