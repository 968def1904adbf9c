from django.urls import path

from recruitment.views import applications, appointments, drives, inspection

app_name = "recruitment"

urlpatterns = [
    # Drives, their notice and council
    path("drives/", drives.drive_list, name="drive_list"),
    path("drives/new/", drives.drive_create, name="drive_create"),
    path("drives/<int:pk>/", drives.drive_detail, name="drive_detail"),
    path("drives/<int:pk>/edit/", drives.drive_update, name="drive_update"),
    path("drives/<int:pk>/vacancies/", drives.drive_vacancies, name="drive_vacancies"),
    path(
        "drives/<int:pk>/vacancies/<int:vacancy_pk>/remove/",
        drives.drive_vacancy_remove,
        name="drive_vacancy_remove",
    ),
    path("drives/<int:pk>/notice/", drives.drive_channels, name="drive_channels"),
    path("drives/<int:pk>/announce/", drives.drive_announce, name="drive_announce"),
    path("drives/<int:pk>/advance/", drives.drive_advance, name="drive_advance"),
    path("drives/<int:pk>/cancel/", drives.drive_cancel, name="drive_cancel"),
    path("drives/<int:pk>/council/", drives.drive_council, name="drive_council"),
    path(
        "drives/<int:pk>/council/declarations/",
        drives.council_declare,
        name="council_declare",
    ),
    path(
        "drives/<int:pk>/council/members/<int:member_pk>/replace/",
        drives.council_member_replace,
        name="council_member_replace",
    ),
    path("hints/<int:pk>/resolve/", drives.hint_resolve, name="hint_resolve"),
    # Applications, scores, results
    path(
        "drives/<int:pk>/applications/",
        applications.application_list,
        name="application_list",
    ),
    path(
        "drives/<int:pk>/applications/new/",
        applications.application_create,
        name="application_create",
    ),
    path(
        "applications/<int:pk>/",
        applications.application_detail,
        name="application_detail",
    ),
    path(
        "applications/<int:pk>/eligibility/",
        applications.application_eligibility,
        name="application_eligibility",
    ),
    path(
        "applications/<int:pk>/scores/",
        applications.application_scores,
        name="application_scores",
    ),
    path(
        "applications/<int:pk>/remarks/new/",
        applications.remark_request_create,
        name="remark_request_create",
    ),
    path(
        "applications/<int:pk>/dossier/",
        applications.application_dossier,
        name="application_dossier",
    ),
    path(
        "applications/<int:pk>/cancel-admission/",
        applications.application_cancel_admission,
        name="application_cancel_admission",
    ),
    path(
        "applications/<int:pk>/hire/",
        applications.application_hire,
        name="application_hire",
    ),
    path("drives/<int:pk>/merit/", applications.merit_list, name="merit_list"),
    path(
        "drives/<int:pk>/results/publish/",
        drives.results_publish,
        name="results_publish",
    ),
    path(
        "drives/<int:pk>/dossiers/cancel-missed/",
        applications.dossiers_cancel_missed,
        name="dossiers_cancel_missed",
    ),
    path(
        "vacancies/<int:pk>/tie-break/",
        applications.tie_break_create,
        name="tie_break_create",
    ),
    path("vacancies/<int:pk>/admit-next/", applications.admit_next, name="admit_next"),
    path("drives/<int:pk>/remarks/", applications.remark_list, name="remark_list"),
    path("remarks/<int:pk>/decide/", applications.remark_decide, name="remark_decide"),
    # Appointment decisions
    path("appointments/", appointments.decision_list, name="decision_list"),
    path("appointments/new/", appointments.decision_create, name="decision_create"),
    path(
        "appointments/<int:pk>/", appointments.decision_detail, name="decision_detail"
    ),
    path("appointments/alerts/", appointments.term_alerts, name="term_alerts"),
    # Inspection
    path("flags/", inspection.red_flag_list, name="red_flag_list"),
    path(
        "records/<str:object_type>/<str:object_id>/",
        inspection.record_redirect,
        name="record_redirect",
    ),
    path("inspection/", inspection.inspection_case_list, name="inspection_case_list"),
    path(
        "inspection/new/",
        inspection.inspection_case_create,
        name="inspection_case_create",
    ),
    path(
        "inspection/<int:pk>/",
        inspection.inspection_case_detail,
        name="inspection_case_detail",
    ),
    path(
        "inspection/<int:pk>/findings/new/",
        inspection.finding_create,
        name="finding_create",
    ),
    path(
        "inspection/<int:pk>/conclude/",
        inspection.inspection_case_conclude,
        name="inspection_case_conclude",
    ),
    path(
        "inspection/<int:pk>/report.pdf",
        inspection.inspection_report_pdf,
        name="inspection_report_pdf",
    ),
]
