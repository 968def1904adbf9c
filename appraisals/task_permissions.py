"""Who may see and do what with the task register, the reform (CCHC) plans and
the appraisal dashboards; scoping goes through hrms.policy.

A task belongs to the unit of its assignee. The assignee sees and updates the
progress of their own tasks (through Employee.user), whatever their grants.
Unit leaders and administrators assign, review and waive the tasks of the
units they are granted on; HR officers and inspectors read them (an
inspector's every opened record is logged by the policy). Reform plans are
drawn up by leaders, HR and administrators. The dashboards are for leaders,
HR, inspectors and administrators. Views fetch a record within the readers'
scope (404 outside it), then ask a predicate here (403 when it says no).
"""

from __future__ import annotations

from hrms import policy
from hrms.models import Role

TASK_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})
# Decree 335/2025 Art 14: the direct leader assigns and checks the products.
TASK_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
REFORM_READERS = TASK_READERS
REFORM_EDITORS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER})
DASHBOARD_READERS = TASK_READERS


def is_own_task(user, task) -> bool:
    return bool(user.pk) and task.assignee.user_id == user.pk


def can_list_team_tasks(user) -> bool:
    return bool(policy.roles_of(user) & TASK_READERS)


def can_assign_tasks(user) -> bool:
    return bool(policy.roles_of(user) & TASK_MANAGERS)


def can_assign_task_to(user, employee) -> bool:
    return policy.has_role_on(user, employee.unit, TASK_MANAGERS)


def can_update_task_progress(user, task) -> bool:
    """Only the assignee reports their own progress."""
    return is_own_task(user, task)


def can_review_task(user, task) -> bool:
    return policy.has_role_on(user, task.assignee.unit, TASK_MANAGERS)


def can_approve_objective_cause(user, task) -> bool:
    """A leader of the assignee's unit; approving one's own task is refused by the
    rule itself (appraisals.scoring.check_waiver_approver), with its citation."""
    return policy.has_role_on(user, task.assignee.unit, TASK_MANAGERS)


def can_list_reform_plans(user) -> bool:
    return bool(policy.roles_of(user) & REFORM_READERS)


def can_create_reform_plans(user) -> bool:
    return bool(policy.roles_of(user) & REFORM_EDITORS)


def can_edit_reform_plan(user, plan) -> bool:
    return policy.has_role_on(user, plan.unit, REFORM_EDITORS)


def can_view_dashboards(user) -> bool:
    return bool(policy.roles_of(user) & DASHBOARD_READERS)
