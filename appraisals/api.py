"""The dossier API (DESIGN.md §4.4), under /api/v1/ (hrms/api_urls.py).

    GET  /api/v1/dossiers/          dossiers in the caller's scope, with their steps;
                                    filters unit, officer, received_from,
                                    received_to, late (appraisals.forms.DossierFilter)
    GET  /api/v1/dossiers/<code>/   one dossier (an inspector's read is logged)
    POST /api/v1/dossiers/          a batch (JSON list) of dossiers with nested
                                    `steps`, upserted by code

A pushed batch is checked by the import's own checks (appraisals.ingest.checks:
the same rules, the same reasons as `import_data dossiers` / `dossier_steps`),
plus what only a batch has: a code twice in the batch, a step number twice in a
dossier, and the scope — the caller needs a counter, HR or administrator grant
on the receiving unit, and on the unit of a stored dossier it would overwrite.
Valid items are written through the import's fast path (appraisals.ingest.
fastpath), each dossier with its steps or not at all.

By default valid items are written and invalid ones are returned with their
reasons: 200 when every item was written, 207 when some were, 400 when none was.
With `?atomic=1` the batch is all or nothing: any invalid item writes nothing
(400, with every item's reasons). Steps are upserted by (code, seq); stored steps
not sent are kept, and a blank optional field keeps the stored value — as a
re-imported file does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from appraisals.forms import DossierFilter
from appraisals.ingest.checks import (
    DOSSIER_COLUMNS,
    STEP_COLUMNS,
    Refs,
    check_dossier_rows,
    check_step_rows,
)
from appraisals.ingest.fastpath import fast_import
from appraisals.models import Dossier, DossierStep, Procedure
from appraisals.permissions import (
    DOSSIER_READERS,
    can_list_dossiers,
    can_push_dossiers,
    can_write_dossiers_of,
)
from appraisals.serializers import (
    BatchResultSerializer,
    DossierPushSerializer,
    DossierSerializer,
)
from hrms import policy
from hrms.importing import get_resource
from hrms.models import Holiday
from positions.models import OrgUnit
from staff.models import Employee

MAX_BATCH = 1000
NON_FIELD = "non_field_errors"


# The batch ----------------------------------------------------------------------


@dataclass
class _Item:
    index: int
    code: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    steps: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        messages = self.errors.setdefault(key, [])
        if message not in messages:
            messages.append(message)


@dataclass
class BatchResult:
    atomic: bool
    received: int
    results: list[dict[str, Any]]
    errors: list[dict[str, Any]]

    @property
    def written(self) -> int:
        return len(self.results)

    @property
    def status_code(self) -> int:
        if not self.errors:
            return status.HTTP_200_OK
        if self.results:
            return status.HTTP_207_MULTI_STATUS
        return status.HTTP_400_BAD_REQUEST

    def as_dict(self) -> dict[str, Any]:
        return {
            "atomic": self.atomic,
            "received": self.received,
            "written": self.written,
            "rejected": len(self.errors),
            "results": self.results,
            "errors": self.errors,
        }


class _Refused(Exception):
    """Rows the fast path refused on writing (checks against stored rows)."""

    def __init__(self, reasons: dict[int, str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


def _cell(value: Any) -> str | None:
    """A JSON value as an import cell; None when it is not a scalar."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _parse(index: int, raw: Any) -> _Item:
    item = _Item(index)
    if not isinstance(raw, dict):
        item.add(NON_FIELD, gettext("Each dossier must be a JSON object."))
        return item
    not_scalar = gettext("Expected a string or a number.")
    for column in DOSSIER_COLUMNS:
        text = _cell(raw.get(column))
        if text is None:
            item.add(column, not_scalar)
            text = ""
        item.cells[column] = text
    item.code = item.cells["code"]
    steps = raw.get("steps")
    if steps is None:
        return item
    if not isinstance(steps, list):
        item.add("steps", gettext("Expected a list of steps."))
        return item
    for j, step in enumerate(steps):
        if not isinstance(step, dict):
            item.add(f"steps[{j}]", gettext("Each step must be a JSON object."))
            continue
        cells = {"dossier_code": item.code}
        for column in STEP_COLUMNS[1:]:
            text = _cell(step.get(column))
            if text is None:
                item.add(f"steps[{j}].{column}", not_scalar)
                text = ""
            cells[column] = text
        item.steps.append((j, cells))
    return item


def _refs(items: list[_Item]) -> tuple[Refs, dict[str, OrgUnit]]:
    """What the items refer to, and only that (not the whole staff list)."""

    def wanted(column: str) -> set[str]:
        return {item.cells.get(column) for item in items} - {None, ""}

    officer_codes = wanted("receiving_officer") | {
        cells["officer"] for item in items for _j, cells in item.steps
    }
    units = {
        unit.code: unit
        for unit in OrgUnit.objects.filter(code__in=wanted("unit_code")).only(
            "pk", "code", "path"
        )
    }
    refs = Refs(
        procedures={
            code: (pk, days)
            for code, pk, days in Procedure.objects.filter(
                code__in=wanted("procedure_code")
            ).values_list("code", "pk", "processing_days")
        },
        units={code: unit.pk for code, unit in units.items()},
        officers={
            code: (pk, unit_id, joined_on, status_)
            for code, pk, unit_id, joined_on, status_ in Employee.objects.filter(
                employee_code__in=officer_codes - {""}
            ).values_list("employee_code", "pk", "unit_id", "joined_on", "status")
        },
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )
    return refs, units


def _check(items: list[_Item], user) -> dict[str, str]:
    """Add every item's reasons; answer {code: stored unit path} of the stored
    dossiers the batch names."""
    shaped = [item for item in items if NON_FIELD not in item.errors]
    refs, units = _refs(shaped)
    for checked in check_dossier_rows(
        [(item.index, item.cells) for item in shaped], refs
    ):
        for column, message in checked.errors:
            items[checked.line].add(column or NON_FIELD, message)

    rows, owners = [], {}
    for item in shaped:
        for j, cells in item.steps:
            owners[len(rows)] = (item, j)
            rows.append((len(rows), cells))
    seqs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for checked in check_step_rows(rows, refs, stored=False):
        item, j = owners[checked.line]
        for column, message in checked.errors:
            if column != "dossier_code":  # the dossier's own code says it
                item.add(f"steps[{j}].{column}", message)
        if checked.values["seq"] is not None:
            seqs[(item.index, checked.values["seq"])].append(j)
    for (index, seq), positions in seqs.items():
        if len(positions) > 1:
            for j in positions:
                items[index].add(
                    f"steps[{j}].seq",
                    gettext("Step %(seq)d appears more than once in this dossier.")
                    % {"seq": seq},
                )

    by_code: dict[str, list[int]] = defaultdict(list)
    for item in shaped:
        if item.code:
            by_code[item.code].append(item.index)
    for code, indexes in by_code.items():
        if len(indexes) > 1:
            for index in indexes:
                items[index].add(
                    "code",
                    gettext(
                        "“%(code)s” appears more than once in the batch "
                        "(items %(items)s)."
                    )
                    % {"code": code, "items": ", ".join(map(str, indexes))},
                )

    for item in shaped:
        unit = units.get(item.cells["unit_code"])
        if unit is not None and not can_write_dossiers_of(user, unit):
            item.add(
                "unit_code",
                gettext("Unit “%(code)s” is outside your scope.") % {"code": unit.code},
            )
    stored = dict(
        Dossier.objects.filter(code__in=list(by_code)).values_list("code", "unit__path")
    )
    for item in shaped:
        path = stored.get(item.code)
        if path is not None and not can_write_dossiers_of(
            user, SimpleNamespace(path=path)
        ):
            item.add(
                "code",
                gettext(
                    "A dossier with this code exists in a unit outside your scope."
                ),
            )
    return stored


def _write(items: list[_Item]) -> None:
    """Write the items through the import's fast path, all of them or none."""
    records = [
        (item.index, [item.cells[c] for c in DOSSIER_COLUMNS], None) for item in items
    ]
    outcome = fast_import(
        get_resource("dossiers")(), list(DOSSIER_COLUMNS), records, reread=_nothing
    )
    if outcome.rejections:
        raise _Refused({line: reason for line, reason, _c in outcome.rejections})
    step_records, owners = [], {}
    for item in items:
        for _j, cells in item.steps:
            owners[len(step_records)] = item.index
            step_records.append(
                (len(step_records), [cells[c] for c in STEP_COLUMNS], None)
            )
    if not step_records:
        return
    outcome = fast_import(
        get_resource("dossier_steps")(),
        list(STEP_COLUMNS),
        step_records,
        reread=_nothing,
    )
    if outcome.rejections:
        reasons: dict[int, str] = {}
        for line, reason, _cells in outcome.rejections:
            index = owners[line]
            reasons[index] = "; ".join(filter(None, [reasons.get(index), reason]))
        raise _Refused(reasons)


def _nothing(lines: Iterable[int]) -> dict:
    return {}


def push_dossiers(raw_items: list, *, user, atomic: bool = False) -> BatchResult:
    """Check and upsert a batch of dossiers with their steps (see the module
    docstring for the semantics)."""
    items = [_parse(index, raw) for index, raw in enumerate(raw_items)]
    stored = _check(items, user) if items else {}
    valid = [item for item in items if not item.errors]
    if atomic and len(valid) < len(items):
        valid = []
    while valid:
        try:
            with transaction.atomic():
                _write(valid)
        except _Refused as refused:
            for index, reason in refused.reasons.items():
                items[index].add(NON_FIELD, reason)
            valid = [] if atomic else [item for item in valid if not item.errors]
        else:
            break
    results = [
        {
            "index": item.index,
            "code": item.code,
            "result": "updated" if item.code in stored else "created",
        }
        for item in valid
    ]
    errors = [
        {"index": item.index, "code": item.code, "errors": item.errors}
        for item in items
        if item.errors
    ]
    return BatchResult(atomic, len(items), results, errors)


# Views --------------------------------------------------------------------------


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in {"1", "true", "yes", "on"}


PUSH_DESCRIPTION = """\
A JSON list of at most 1,000 dossiers, each with its `steps`, upserted by `code`.
Fields are the columns of `import_data dossiers` and `dossier_steps`, checked by the
same rules, with the same reasons. The caller needs a counter, HR or administrator
grant on each dossier's receiving unit (and on the unit of a stored dossier it
would overwrite); an item outside the scope is refused with a reason.

By default valid items are written, each with its steps, and invalid ones are
returned in `errors` with their reasons by field: **200** when every item was
written, **207** when some were, **400** when none was. With `?atomic=1` the batch
is all or nothing: one invalid item writes nothing (400). Steps are upserted by
(code, seq); stored steps not sent are kept, and a blank optional field keeps the
stored value, as a re-imported file does.
"""

PUSH_EXAMPLE = [
    {
        "code": "000.00.34.H01-260310-0001",
        "procedure_code": "1.000893",
        "unit_code": "P01-TTHCC",
        "received_at": "2026-03-10T08:30:00",
        "channel": "online",
        "receiving_officer": "S003",
        "steps": [
            {
                "seq": 1,
                "name": "receive",
                "officer": "S003",
                "started_at": "2026-03-10T08:30:00",
                "due_at": "2026-03-10T17:00:00",
                "finished_at": "2026-03-10T09:00:00",
            }
        ],
    }
]


class DossierViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Dossiers of the one-stop shop, scoped like the web pages."""

    serializer_class = DossierSerializer
    filterset_class = DossierFilter
    parser_classes = [JSONParser]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def _dossiers(self):
        steps = DossierStep.objects.select_related("officer", "unit").order_by("seq")
        return Dossier.objects.select_related(
            "procedure", "unit", "receiving_officer", "apology_slip", "rating"
        ).prefetch_related(Prefetch("steps", queryset=steps))

    def get_queryset(self):
        return policy.scope(self.request.user, self._dossiers(), roles=DOSSIER_READERS)

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not can_list_dossiers(request.user):
            raise PermissionDenied
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        dossier = policy.get_in_scope_or_404(
            request, self._dossiers(), roles=DOSSIER_READERS, code=kwargs["code"]
        )
        return Response(self.get_serializer(dossier).data)

    @extend_schema(
        summary="Push a batch of dossiers with their steps (upsert by code)",
        description=PUSH_DESCRIPTION,
        request=DossierPushSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "atomic",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description="All or nothing: any invalid item writes nothing.",
            )
        ],
        responses={
            200: BatchResultSerializer,
            207: BatchResultSerializer,
            400: BatchResultSerializer,
        },
        examples=[
            OpenApiExample("One dossier", value=PUSH_EXAMPLE[0], request_only=True)
        ],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        if not can_push_dossiers(request.user):
            raise PermissionDenied
        atomic = _flag(request, "atomic")
        if not isinstance(request.data, list):
            return _refusal(
                atomic, gettext("Send a JSON list of dossiers, even for one.")
            )
        if len(request.data) > MAX_BATCH:
            return _refusal(
                atomic,
                gettext("At most %(max)d dossiers per request.") % {"max": MAX_BATCH},
            )
        result = push_dossiers(request.data, user=request.user, atomic=atomic)
        return Response(result.as_dict(), status=result.status_code)


def _refusal(atomic: bool, message: str) -> Response:
    body = BatchResult(atomic, 0, [], []).as_dict()
    body["errors"] = [{"index": -1, "code": "", "errors": {NON_FIELD: [message]}}]
    body["rejected"] = 0
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


router = SimpleRouter()
router.register("dossiers", DossierViewSet, basename="dossier")
urlpatterns = router.urls
