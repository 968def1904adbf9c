"""Writes for recruitment drives, councils, applications, results, appointment
decisions and inspection cases.

Services take keyword arguments, check the rules in recruitment/rules.py, write in
one transaction with the audit-ledger entry of every decision, and raise a
ValidationError carrying the rule's message, code and citation, so nothing is
written on a refusal. Who may call them is the views' business (permissions.py);
the services check only what the law ties to a role (overrides, inspectors).
Every name stays importable from `recruitment.services`.
"""

from recruitment.services.appointments import (
    EligibilityCheck,
    VoteSpec,
    add_succession_plan_entry,
    evaluate_appointment_eligibility,
    record_appointment_decision,
    set_rotation_policy,
)
from recruitment.services.councils import (
    MemberSpec,
    appoint_council,
    declare_relation,
    replace_council_member,
    resolve_conflict_hint,
)
from recruitment.services.drives import (
    advance_drive,
    announce_drive,
    cancel_drive,
    create_drive,
    record_eligibility,
    record_notice_channel,
    record_scores,
    remove_drive_vacancy,
    set_drive_vacancy,
    submit_application,
    update_drive,
)
from recruitment.services.inspection import (
    add_finding,
    conclude_inspection_case,
    open_inspection_case,
)
from recruitment.services.results import (
    admit_next_ranked,
    cancel_admission,
    cancel_missed_dossiers,
    decide_remark,
    hire_winner,
    publish_results,
    record_dossier_completion,
    record_tie_break,
    request_remark,
)

__all__ = [
    "EligibilityCheck",
    "MemberSpec",
    "VoteSpec",
    "add_finding",
    "add_succession_plan_entry",
    "admit_next_ranked",
    "advance_drive",
    "announce_drive",
    "appoint_council",
    "cancel_admission",
    "cancel_drive",
    "cancel_missed_dossiers",
    "conclude_inspection_case",
    "create_drive",
    "decide_remark",
    "declare_relation",
    "evaluate_appointment_eligibility",
    "hire_winner",
    "open_inspection_case",
    "publish_results",
    "record_appointment_decision",
    "record_dossier_completion",
    "record_eligibility",
    "record_notice_channel",
    "record_scores",
    "record_tie_break",
    "remove_drive_vacancy",
    "replace_council_member",
    "request_remark",
    "resolve_conflict_hint",
    "set_drive_vacancy",
    "set_rotation_policy",
    "submit_application",
    "update_drive",
]
