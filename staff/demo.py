"""Demo staff: a few hundred people with realistic Vietnamese names, placed in the
demo positions with their grades and steps, a few vacancies left open, and one
recorded over-quota override."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count

from positions.models import Grade
from staff.models import Assignment, Employee, GradeHistory
from staff.services import assign_position, create_employee, record_grade_step

FAMILY = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng "
    "Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Mai Tạ"
).split()
FAMILY_WEIGHTS = [38, 11, 9, 7, 5, 4, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1]
MIDDLE = {
    "M": "Văn Hữu Đức Minh Quang Công Xuân Thanh Ngọc Đình".split(),
    "F": "Thị Thị Thị Ngọc Thu Thanh Minh Phương Kim Hồng".split(),
}
GIVEN = {
    "M": (
        "An Bình Cường Dũng Đạt Hải Hiếu Hoàng Hùng Huy Khánh Khoa Lâm Long Lộc "
        "Minh Nam Nghĩa Phong Phúc Quân Sơn Tài Thắng Thành Toàn Trung Tuấn Việt Vinh"
    ).split(),
    "F": (
        "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hồng Hương Hường Lan Liên Linh "
        "Loan Mai Nga Ngân Nhung Oanh Phương Quỳnh Thảo Thu Thủy Trang Tuyết Vân Yến"
    ).split(),
}
PROVINCE_CODE = "034"  # births registered in Thái Bình, as in the sample files
TODAY = dt.date(2026, 11, 1)
OVERRIDE_POSITION = "P01-SNV-CCVC-CV"  # fixed, so a seed always gives the same people


def _name(rng, gender: str) -> str:
    family = rng.choices(FAMILY, weights=FAMILY_WEIGHTS)[0]
    return f"{family} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"


def _citizen_id(index: int, gender: str, born: dt.date) -> str:
    century = 0 if born.year < 2000 else 2
    return f"{PROVINCE_CODE}{century + (gender == 'F')}{born.year % 100:02d}{index:06d}"


def seed(ctx) -> None:
    if Employee.objects.filter(employee_code__startswith="NV").exists():
        ctx.write(f"staff: {Employee.objects.count()} (already seeded)")
        _link_demo_users()
        return
    rng = ctx.rng
    hr_user = get_user_model().objects.filter(username="hr").first()
    grades = {g.code: g for g in Grade.objects.select_related("salary_scale")}
    seats = []
    for position in ctx.positions:
        # A few open seats for the vacancy list; the override's position stays full.
        open_seat = position.code != OVERRIDE_POSITION and rng.random() < 0.3
        vacant = 1 if position.headcount > 1 and open_seat else 0
        seats += [position] * (position.headcount - vacant)
    created = 0
    for index in range(1, ctx.staff + 1):
        position = seats[index - 1] if index <= len(seats) else None
        _seed_person(ctx, index, position, grades)
        created += 1
    _record_one_override(ctx, hr_user)
    _link_demo_users()
    ctx.write(f"staff: {created}")


def _seed_person(ctx, index: int, position, grades) -> Employee:
    rng = ctx.rng
    gender = rng.choice("MF")
    born = dt.date(rng.randint(1968, 2000), rng.randint(1, 12), rng.randint(1, 28))
    joined = dt.date(born.year + rng.randint(22, 30), rng.choice([1, 4, 7, 10]), 1)
    joined = min(joined, TODAY - dt.timedelta(days=400))
    support = position is not None and position.group == "support"
    employee = create_employee(
        employee_code=f"NV{index:05d}",
        full_name=_name(rng, gender),
        date_of_birth=born,
        gender=gender,
        staff_type="contract" if support else "cong_chuc",
        unit=position.unit if position else ctx.units["P01-VP"],
        national_id=_citizen_id(index, gender, born),
        joined_on=joined,
        email=f"nv{index:05d}@example.gov.vn",
        phone=f"09{rng.randint(10000000, 99999999)}",
    )
    if position is None:
        return employee
    starts_on = max(joined, dt.date(2021, 1, 1))
    if not support:
        grade = grades[position.grade.code]
        last = grade.salary_scale.steps.values("step").order_by("-step").first()
        years = (TODAY - joined).days // 365
        step = max(1, min(last["step"] if last else 1, 1 + years // 3))
        since = TODAY - dt.timedelta(days=rng.randint(30, 1000))
        record_grade_step(
            employee=employee,
            grade=grade,
            salary_step=step,
            effective_on=max(since, joined),
            reason=GradeHistory.Reason.APPOINTMENT,
            decision_number=f"{rng.randint(10, 999)}/QĐ-SNV",
        )
    assign_position(
        employee=employee,
        position=position,
        starts_on=starts_on,
        decision_number=f"{rng.randint(10, 999)}/QĐ-UBND",
        decided_on=starts_on,
        signer="Chủ tịch UBND tỉnh",
    )
    return employee


def _record_one_override(ctx, hr_user) -> None:
    """One recorded over-quota hire, as inspectors will meet in real data."""
    position = next(p for p in ctx.positions if p.code == OVERRIDE_POSITION)
    filled = Assignment.objects.filter(
        position=position, ends_on__isnull=True
    ).aggregate(n=Count("id"))["n"]
    if filled < position.headcount:
        return
    employee = Employee.objects.filter(unit__code="P01-VP").exclude(
        assignments__isnull=False
    ).first() or _seed_person(ctx, ctx.staff + 1, None, {})
    assign_position(
        employee=employee,
        position=position,
        starts_on=dt.date(2026, 3, 1),
        decision_number="45/QĐ-SNV",
        decided_on=dt.date(2026, 2, 25),
        signer="Giám đốc Sở Nội vụ",
        actor=hr_user,
        override_reason=(
            "Biệt phái tạm thời để triển khai đề án vị trí việc làm năm 2026"
        ),
    )


def _link_demo_users() -> None:
    """The demo 'staff' and 'manager' logins open their own personnel files."""
    User = get_user_model()
    for username, code in (
        ("staff", "P01-SNV-CCVC-CV"),
        ("manager", "P01-SNV-CCVC-LD"),
    ):
        user = User.objects.filter(username=username).first()
        if user is None or Employee.objects.filter(user=user).exists():
            continue
        holder = (
            Employee.objects.filter(
                user__isnull=True,
                assignments__position__code=code,
                assignments__ends_on__isnull=True,
            )
            .order_by("employee_code")
            .first()
        )
        if holder:
            Employee.objects.filter(pk=holder.pk).update(user=user)
