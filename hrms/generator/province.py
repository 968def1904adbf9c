"""The rows of a generated province, decided in plain Python from a seed.

Units, positions and staff are held in memory (a few hundred MB at 100,000 staff
with their tasks streamed); tasks, dossiers and steps are generated as streams, so
millions of rows cost no memory. Every stream has its own random generator seeded
from the province's seed and its name: the same seed gives the same rows whatever
is asked first.

The tree: the provincial People's Committee (P01); its departments (Sở) with
their divisions (phòng); the provincial public administration service centre
(P01-TTHCC); and communes, each with its own one-stop shop at large sizes. The
unit codes of the small demo (P01-SNV-CCVC, P01-TTHCC, …) are kept, so the demo
logins work on a generated province too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

# Names ------------------------------------------------------------------------------

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
COMMUNE_NAMES = (
    "Hòa Bình Tân Lập Đồng Tâm An Khánh Phú Thọ Quang Trung Thái Hòa Minh Đức "
    "Hưng Yên Nam Sơn Bắc Hà Đông Phong Tây Sơn Vĩnh Lộc Phúc Thành Kim Liên"
).split()

# Organisation -----------------------------------------------------------------------

ROOT = ("P01", "UBND tỉnh Mẫu", "agency")
# Departments in this order; the first `departments` of them are used.
DEPARTMENTS = [
    ("P01-VP", "Văn phòng UBND tỉnh"),
    ("P01-SNV", "Sở Nội vụ"),
    ("P01-STC", "Sở Tài chính"),
    ("P01-SYT", "Sở Y tế"),
    ("P01-SGDDT", "Sở Giáo dục và Đào tạo"),
    ("P01-STP", "Sở Tư pháp"),
    ("P01-TTR", "Thanh tra tỉnh"),
    ("P01-SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("P01-SXD", "Sở Xây dựng"),
    ("P01-SCT", "Sở Công Thương"),
    ("P01-SKHCN", "Sở Khoa học và Công nghệ"),
    ("P01-SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("P01-SDTTG", "Sở Dân tộc và Tôn giáo"),
]
# Divisions of the Department of Home Affairs keep the demo's codes.
SNV_DIVISIONS = [
    ("CCVC", "Phòng Công chức viên chức"),
    ("TCBM", "Phòng Tổ chức bộ máy"),
    ("CCHC", "Phòng Cải cách hành chính"),
    ("VP", "Văn phòng Sở"),
    ("TTRA", "Thanh tra Sở"),
]
DIVISIONS = [
    ("VP", "Văn phòng Sở"),
    ("KHTC", "Phòng Kế hoạch – Tài chính"),
    ("TCCB", "Phòng Tổ chức cán bộ"),
    ("QLCN", "Phòng Quản lý chuyên ngành"),
    ("TTRA", "Thanh tra Sở"),
]
SERVICE_CENTRE = ("P01-TTHCC", "Trung tâm Phục vụ hành chính công tỉnh")
COMMUNE_DIVISIONS = [
    ("VP", "Văn phòng HĐND và UBND"),
    ("KT", "Phòng Kinh tế"),
    ("VHXH", "Phòng Văn hóa – Xã hội"),
    ("PVHCC", "Trung tâm Phục vụ hành chính công"),
]
UNITS_PER_STAFF = 50  # the design point: 100,000 staff in 2,000 units

# (suffix, title by kind or one title, group, grade code)
POSITION_KINDS = {
    "LD": (
        {"department": "Giám đốc", "service_center": "Giám đốc Trung tâm",
         "commune": "Chủ tịch UBND", "division": "Trưởng phòng"},
        "leadership", "01.002",
    ),
    "PLD": (
        {"department": "Phó Giám đốc", "service_center": "Phó Giám đốc Trung tâm",
         "commune": "Phó Chủ tịch UBND", "division": "Phó Trưởng phòng"},
        "leadership", "01.002",
    ),
    "CVC": ("Chuyên viên chính", "professional", "01.002"),
    "CV": ("Chuyên viên", "professional", "01.003"),
    "CS": ("Cán sự", "professional", "01.004"),
    "NV": ("Nhân viên phục vụ", "support", "01.005"),
}  # fmt: skip
TODAY = dt.date(2026, 11, 1)  # fixed: the same seed gives the same people
YEAR = 2026
PROVINCE_CODE = "034"

# One-stop shop ----------------------------------------------------------------------

PROCEDURES = [
    ("1.000893", "Đăng ký kết hôn", "Hộ tịch", 5),
    ("1.001193", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", 20),
    ("1.004227", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", 15),
    ("2.000908", "Chứng thực bản sao từ bản chính", "Chứng thực", 1),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", "Đăng ký kinh doanh", 3),
]
EXTRA_PROCEDURES = 195
PROCESSING_DAYS = (0, 1, 3, 5, 7, 10, 15, 20)
FIELDS = ["Hộ tịch", "Đất đai", "Xây dựng", "Chứng thực", "Kinh doanh", "Tư pháp"]
HOLIDAYS = [
    (dt.date(2026, 1, 1), "Tết Dương lịch"),
    *((dt.date(2026, 2, d), "Tết Nguyên đán") for d in range(16, 21)),
    (dt.date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (dt.date(2026, 4, 30), "Ngày Giải phóng miền Nam"),
    (dt.date(2026, 5, 1), "Quốc tế Lao động"),
    (dt.date(2026, 9, 1), "Quốc khánh"),
    (dt.date(2026, 9, 2), "Quốc khánh"),
]
# Received by 23/10: every due time, and so every return, is before late November.
FIRST_DAY, LAST_DAY = dt.date(2026, 1, 5), dt.date(2026, 10, 23)
WORKDAY_END = dt.time(17)

TASK_TITLES = [
    "Báo cáo tình hình thực hiện nhiệm vụ tháng",
    "Tham mưu văn bản hướng dẫn nghiệp vụ",
    "Rà soát, cập nhật cơ sở dữ liệu cán bộ",
    "Tổng hợp hồ sơ nâng lương",
    "Thẩm định hồ sơ trình lãnh đạo",
    "Kiểm tra, hướng dẫn cơ sở",
    "Xây dựng kế hoạch công tác quý",
    "Tiếp nhận và xử lý văn bản đến",
    "Chuẩn bị nội dung hội nghị",
    "Báo cáo cải cách hành chính",
]


# Rows -------------------------------------------------------------------------------


@dataclass(slots=True)
class Unit:
    code: str
    name: str
    kind: str  # OrgUnit.Kind
    parent: str  # parent code, "" for the root
    role: str  # department | division | service_center | commune
    staff: int = 0


@dataclass(slots=True)
class Position:
    code: str
    unit: str
    title: str
    group: str
    grade: str
    headcount: int
    filled: int = 0  # seats given to generated people (headcount less vacancies)


@dataclass(slots=True)
class Person:
    index: int
    code: str
    full_name: str
    born: dt.date
    gender: str
    staff_type: str
    unit: str
    position: str
    grade: str  # "" for contract staff
    joined: dt.date
    national_id: str
    email: str
    phone: str
    # (step, effective_on, reason), oldest first; empty for contract staff
    history: list[tuple[int, dt.date, str]] = field(default_factory=list)

    @property
    def step(self) -> int | None:
        return self.history[-1][0] if self.history else None

    @property
    def step_since(self) -> dt.date | None:
        return self.history[-1][1] if self.history else None


@dataclass(slots=True)
class TaskRow:
    code: str
    assignee: str
    period: str
    title: str
    due_on: dt.date
    weight: Decimal
    completed_on: dt.date | None
    quality_defects: int
    objective_cause: bool
    reform_task: bool


# The province -----------------------------------------------------------------------


@dataclass
class Province:
    seed: int
    staff_count: int
    dossier_count: int
    units: list[Unit]
    positions: list[Position]
    people: list[Person]
    one_stop_units: list[str]
    tasks_per_person: int = 10

    @classmethod
    def build(
        cls,
        *,
        staff: int,
        dossiers: int,
        seed: int,
        max_steps: dict[str, int] | None = None,
        tasks_per_person: int = 10,
    ) -> Province:
        """Decide the units, positions and people for `staff` people.

        max_steps: the last salary step of each grade code (from the reference
        data); steps are kept within it.
        """
        staff = max(staff, 20)
        rng = random.Random(f"{seed}:organisation")
        units = _units(staff)
        _share_staff(units, staff, rng)
        positions = [p for unit in units for p in _positions(unit, rng)]
        people = _people(positions, units, seed, max_steps or {})
        one_stop = [
            u.code
            for u in units
            if u.role == "service_center"
            or (u.role == "commune" and not _has_divisions(staff))
            or u.code.endswith("-PVHCC")
        ]
        return cls(
            seed,
            len(people),
            dossiers,
            units,
            positions,
            people,
            one_stop,
            tasks_per_person,
        )

    # Streams ---------------------------------------------------------------------

    def tasks(self) -> Iterator[TaskRow]:
        """About tasks_per_person tasks a person, one a month from January."""
        rng = random.Random(f"{self.seed}:tasks")
        months = range(1, self.tasks_per_person + 1)
        weights = (Decimal(1), Decimal(1), Decimal(1), Decimal("1.5"), Decimal(2))
        for person in self.people:
            for month in months:
                m = (month - 1) % 12 + 1
                due = dt.date(YEAR, m, rng.randint(20, 28))
                roll = rng.random()
                if roll < 0.02:
                    done = None
                elif roll < 0.08:
                    done = due + dt.timedelta(days=rng.randint(1, 10))
                else:
                    done = due - dt.timedelta(days=rng.randint(0, 6))
                yield TaskRow(
                    code=f"T{person.index:06d}-{month:02d}",
                    assignee=person.code,
                    period=f"{YEAR}-{m:02d}",
                    title=rng.choice(TASK_TITLES),
                    due_on=due,
                    weight=rng.choice(weights),
                    completed_on=done,
                    quality_defects=1 if rng.random() < 0.03 else 0,
                    objective_cause=rng.random() < 0.01,
                    reform_task=rng.random() < 0.1,
                )

    def officers(self) -> dict[str, list[str]]:
        """The one-stop-shop officers (employee codes) of each one-stop unit."""
        wanted = set(self.one_stop_units)
        by_unit: dict[str, list[str]] = {code: [] for code in self.one_stop_units}
        for person in self.people:
            if person.unit in wanted:
                by_unit[person.unit].append(person.code)
        return by_unit

    def procedures(self) -> list[tuple[str, str, str, int]]:
        rows = list(PROCEDURES)
        for i in range(1, EXTRA_PROCEDURES + 1):
            rows.append(
                (
                    f"1.9{i:05d}",
                    f"Thủ tục hành chính cấp xã số {i}",
                    FIELDS[i % len(FIELDS)],
                    PROCESSING_DAYS[i % len(PROCESSING_DAYS)],
                )
            )
        return rows

    def dossiers(self) -> Iterator[tuple[list[str], list[list[str]]]]:
        """(dossier cells, [step cells]) in the columns of the import contract:
        received over 2026 on working days; 8 % late (60 % of those with an
        apology slip), 5 % still open, 60 % of the returned rated."""
        rng = random.Random(f"{self.seed}:dossiers")
        holidays = {d for d, _ in HOLIDAYS}
        days = []
        day = FIRST_DAY
        while day <= LAST_DAY:
            if day.weekday() < 5 and day not in holidays:
                days.append(day)
            day += dt.timedelta(days=1)
        officers = {u: codes for u, codes in self.officers().items() if codes}
        units = sorted(officers)
        # The provincial centre receives a tenth of the dossiers.
        weights = [
            max(1, len(units) // 10) if u == SERVICE_CENTRE[0] else 1 for u in units
        ]
        numbers = {u: i for i, u in enumerate(units, start=1)}
        procedures = self.procedures()
        due_cache: dict[tuple[dt.date, int], dt.date] = {}
        counters: dict[tuple[str, dt.date], int] = {}
        hour = dt.timedelta(hours=1)
        for _ in range(self.dossier_count):
            unit = rng.choices(units, weights)[0]
            day = rng.choice(days)
            seq = counters[unit, day] = counters.get((unit, day), 0) + 1
            n = numbers[unit]
            code = f"000.{n // 100:02d}.{n % 100:02d}.H01-{day:%y%m%d}-{seq:04d}"
            received = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(
                minutes=rng.randrange(0, 9 * 60)
            )
            proc_code, _name, _field, processing = rng.choice(procedures)
            key = (day, processing)
            if key not in due_cache:
                due_cache[key] = _add_working_days(day, processing, holidays)
            due_at = dt.datetime.combine(due_cache[key], WORKDAY_END)
            late = rng.random() < 0.08
            open_ = rng.random() < 0.05
            returned = None
            if not open_:
                returned = (
                    due_at + dt.timedelta(hours=rng.randrange(1, 72))
                    if late
                    else received + (due_at - received) * rng.uniform(0.2, 1.0)
                )
            staff = officers[unit]
            counter = rng.choice(staff)
            apology = rescheduled = ""
            if late and rng.random() < 0.6:
                issued = due_at - dt.timedelta(hours=rng.randrange(2, 60))
                apology = _iso(max(issued, received + hour))
                rescheduled = _iso(due_at + dt.timedelta(days=rng.randrange(2, 6)))
            rating = ""
            if returned and rng.random() < 0.6:
                rating = rng.choice(
                    ("very_satisfied", "satisfied", "satisfied", "unsatisfied")
                )
            dossier = [
                code,
                proc_code,
                unit,
                _iso(received),
                _iso(due_at) if rng.random() < 0.3 else "",
                _iso(returned) if returned else "",
                "returned" if returned else "processing",
                "online" if rng.random() < 0.4 else "direct",
                counter,
                apology,
                rescheduled,
                rating,
            ]
            end = returned or due_at
            span = (end - received) / 3
            handler = rng.choice(staff)
            marks = [received, received + span, received + 2 * span, end]
            window = due_at - received
            plan = (
                ("receive", counter, received + window * 0.1),
                ("process", handler, received + window * 0.85),
                ("return", counter, due_at),
            )
            steps = []
            for i, (name, officer, step_due) in enumerate(plan):
                finished = None if open_ and i == 2 else marks[i + 1]
                step_due = max(step_due, marks[i] + hour)
                steps.append(
                    [
                        code,
                        str(i + 1),
                        name,
                        officer,
                        _iso(marks[i]),
                        _iso(step_due),
                        _iso(finished) if finished else "",
                    ]
                )
            yield dossier, steps

    # Checks ----------------------------------------------------------------------

    def checksum(self) -> str:
        """SHA-256 over every code the plan makes (units, positions, people,
        tasks, dossiers): equal for equal seeds and sizes."""
        digest = hashlib.sha256()
        for code in self.codes():
            digest.update(code.encode())
            digest.update(b"\n")
        return digest.hexdigest()

    def codes(self) -> Iterator[str]:
        for kind, codes in self.code_sets().items():
            yield from (f"{kind}:{code}" for code in sorted(codes))

    def code_sets(self) -> dict[str, list[str]]:
        return {
            "unit": [u.code for u in self.units],
            "position": [p.code for p in self.positions],
            "staff": [p.code for p in self.people],
            "task": [t.code for t in self.tasks()],
            "dossier": [d[0] for d, _steps in self.dossiers()],
        }


# Building blocks --------------------------------------------------------------------


def _has_divisions(staff: int) -> bool:
    return staff >= 5_000


def _units(staff: int) -> list[Unit]:
    """The tree for a staff count: about one unit per UNITS_PER_STAFF people."""
    target = max(24, staff // UNITS_PER_STAFF)
    departments = max(4, min(len(DEPARTMENTS), staff // 400))
    divisions = 2 if staff < 2_000 else 3 if staff < 20_000 else 5
    units = [Unit(ROOT[0], ROOT[1], ROOT[2], "", "root")]
    for code, name in DEPARTMENTS[:departments]:
        units.append(Unit(code, name, "department", ROOT[0], "department"))
        names = SNV_DIVISIONS if code == "P01-SNV" else DIVISIONS
        for suffix, division in names[:divisions]:
            units.append(
                Unit(f"{code}-{suffix}", division, "department", code, "division")
            )
    units.append(Unit(*SERVICE_CENTRE, "service_center", ROOT[0], "service_center"))
    per_commune = 1 + (len(COMMUNE_DIVISIONS) if _has_divisions(staff) else 0)
    communes = max(4, (target - len(units)) // per_commune)
    for i in range(1, communes + 1):
        code = f"P01-XA{i:03d}"
        name = COMMUNE_NAMES[(i - 1) % len(COMMUNE_NAMES)]
        if i > len(COMMUNE_NAMES):
            name = f"{name} {(i - 1) // len(COMMUNE_NAMES) + 1}"
        units.append(Unit(code, f"UBND xã {name}", "commune", ROOT[0], "commune"))
        if per_commune > 1:
            for suffix, division in COMMUNE_DIVISIONS:
                kind = "service_center" if suffix == "PVHCC" else "department"
                units.append(Unit(f"{code}-{suffix}", division, kind, code, "division"))
    return units


# Relative head count of a unit by its role.
STAFF_WEIGHT = {
    "root": 0,
    "department": 3,
    "division": 8,
    "service_center": 30,
    "commune": 15,
}


def _share_staff(units: list[Unit], staff: int, rng: random.Random) -> None:
    """Give each unit (but the root) a head count; the shares sum to `staff`."""
    parents = {u.parent for u in units}
    weights = []
    for unit in units:
        w = STAFF_WEIGHT[unit.role]
        if unit.role == "commune" and unit.code in parents:
            w = 4  # a commune with divisions keeps only its leaders
        weights.append(w * rng.uniform(0.7, 1.3))
    total = sum(weights)
    shares = [int(staff * w / total) for w in weights]
    for i, unit in enumerate(units):
        unit.staff = max(shares[i], 2) if weights[i] else 0
    # Settle the rounding on the largest units, deterministically.
    extra = staff - sum(u.staff for u in units)
    order = sorted(range(len(units)), key=lambda i: (-weights[i], i))
    i = 0
    while extra:
        unit = units[order[i % len(order)]]
        if extra > 0:
            unit.staff += 1
            extra -= 1
        elif unit.staff > 2:
            unit.staff -= 1
            extra += 1
        i += 1


def _positions(unit: Unit, rng: random.Random) -> list[Position]:
    """A unit's positions sized for its people, a few seats left vacant."""
    n = unit.staff
    if n <= 0:
        return []
    leaders = 1
    deputies = min(2, (n - 1) // 5) if n > 2 else 0
    support = 1 if n >= 8 else 0
    juniors = 1 if n >= 12 else 0
    rest = n - leaders - deputies - support - juniors
    seniors = rest // 5
    regular = rest - seniors
    kind = "division" if unit.role == "division" else unit.kind
    counts = {
        "LD": leaders,
        "PLD": deputies,
        "CVC": seniors,
        "CV": regular,
        "CS": juniors,
        "NV": support,
    }
    rows = []
    for suffix, filled in counts.items():
        if filled <= 0:
            continue
        title, group, grade = POSITION_KINDS[suffix]
        if isinstance(title, dict):
            title = title.get(kind, title["department"])
        vacant = 1 if suffix in ("CV", "CVC") and rng.random() < 0.3 else 0
        rows.append(
            Position(
                f"{unit.code}-{suffix}",
                unit.code,
                f"{title} – {unit.name}",
                group,
                grade,
                filled + vacant,
                filled,
            )
        )
    return rows


def _people(
    positions: list[Position], units: list[Unit], seed: int, max_steps: dict[str, int]
) -> list[Person]:
    rng = random.Random(f"{seed}:people")
    people = []
    index = 0
    for position in positions:
        for _ in range(position.filled):
            index += 1
            people.append(_person(rng, index, position, max_steps))
    return people


def _person(rng, index: int, position: Position, max_steps) -> Person:
    gender = rng.choice("MF")
    born = dt.date(rng.randint(1968, 2000), rng.randint(1, 12), rng.randint(1, 28))
    joined = dt.date(born.year + rng.randint(22, 30), rng.choice([1, 4, 7, 10]), 1)
    joined = min(joined, TODAY - dt.timedelta(days=400))
    support = position.group == "support"
    family = rng.choices(FAMILY, weights=FAMILY_WEIGHTS)[0]
    name = f"{family} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
    century = 0 if born.year < 2000 else 2
    national_id = (
        f"{PROVINCE_CODE}{century + (gender == 'F')}{born.year % 100:02d}"
        f"{index % 1_000_000:06d}"
    )
    history: list[tuple[int, dt.date, str]] = []
    if not support:
        last = max_steps.get(position.grade, 9)
        years = (TODAY - joined).days // 365
        step = max(1, min(last, 1 + years // 3))
        since = max(joined, TODAY - dt.timedelta(days=rng.randint(30, 1000)))
        earlier = since - dt.timedelta(days=3 * 365)
        if step > 1 and earlier >= joined:
            history.append((step - 1, earlier, "appointment"))
            history.append((step, since, "regular_raise"))
        else:
            history.append((step, since, "appointment"))
    code = f"NV{index:06d}"
    return Person(
        index=index,
        code=code,
        full_name=name,
        born=born,
        gender=gender,
        staff_type="contract" if support else "cong_chuc",
        unit=position.unit,
        position=position.code,
        grade="" if support else position.grade,
        joined=joined,
        national_id=national_id,
        email=f"{code.lower()}@example.gov.vn",
        phone=f"09{rng.randint(10000000, 99999999)}",
        history=history,
    )


def _add_working_days(day: dt.date, n: int, holidays: set[dt.date]) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            n -= 1
    return day


def _iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
