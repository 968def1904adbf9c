"""Task register screens: my tasks, my team's tasks, a task's page (progress,
review, objective-cause waivers), the reform (CCHC) plans, and the appraisal
dashboards with their XLSX export.

Every record comes through hrms.policy: outside the user's scope is a 404, in
scope but not allowed is a 403 (appraisals/task_permissions.py decides);
inspectors only read, and each record they open is logged. Writes go through
appraisals/appraisal_services.py, reads through appraisals/appraisal_selectors.py.
"""

from appraisals.task_views.dashboards import dashboard, dashboard_xlsx
from appraisals.task_views.reform import (
    reform_item_create,
    reform_plan_create,
    reform_plan_detail,
    reform_plan_list,
    reform_task_link,
)
from appraisals.task_views.tasks import (
    task_create,
    task_detail,
    task_mine,
    task_progress,
    task_review,
    task_team,
    task_waive,
)

__all__ = [
    "dashboard",
    "dashboard_xlsx",
    "reform_item_create",
    "reform_plan_create",
    "reform_plan_detail",
    "reform_plan_list",
    "reform_task_link",
    "task_create",
    "task_detail",
    "task_mine",
    "task_progress",
    "task_review",
    "task_team",
    "task_waive",
]
