from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.employee_list, name="employee_list"),
    path("new/", views.employee_create, name="employee_create"),
    path("me/", views.my_profile, name="my_profile"),
    path("<int:pk>/", views.employee_detail, name="employee_detail"),
    path("<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("<int:pk>/assign/", views.employee_assign, name="employee_assign"),
    path("<int:pk>/grade/", views.employee_record_grade, name="employee_record_grade"),
    path(
        "<int:pk>/commendations/new/",
        views.employee_add_commendation,
        name="employee_add_commendation",
    ),
    path(
        "<int:pk>/ratings/new/",
        views.employee_record_rating,
        name="employee_record_rating",
    ),
    path("<int:pk>/summary.pdf", views.employee_pdf, name="employee_pdf"),
    # Discipline
    path("me/discipline/", views.my_discipline_cases, name="my_discipline_cases"),
    path(
        "<int:pk>/discipline/new/",
        views.discipline_case_create,
        name="discipline_case_create",
    ),
    path("discipline/", views.discipline_case_list, name="discipline_case_list"),
    path(
        "discipline/<int:pk>/",
        views.discipline_case_detail,
        name="discipline_case_detail",
    ),
    path(
        "discipline/<int:pk>/violations/new/",
        views.discipline_case_add_violation,
        name="discipline_case_add_violation",
    ),
    path(
        "discipline/<int:pk>/circumstances/new/",
        views.discipline_case_add_circumstance,
        name="discipline_case_add_circumstance",
    ),
    path(
        "discipline/<int:pk>/explanation/",
        views.discipline_case_explanation,
        name="discipline_case_explanation",
    ),
    path(
        "discipline/<int:pk>/council/",
        views.discipline_case_council,
        name="discipline_case_council",
    ),
    path(
        "discipline/<int:pk>/extension/",
        views.discipline_case_extend,
        name="discipline_case_extend",
    ),
    path(
        "discipline/<int:pk>/suspensions/new/",
        views.discipline_case_suspend,
        name="discipline_case_suspend",
    ),
    path(
        "discipline/<int:pk>/suspensions/<int:suspension_pk>/end/",
        views.discipline_case_end_suspension,
        name="discipline_case_end_suspension",
    ),
    path(
        "discipline/<int:pk>/decision/",
        views.discipline_case_decide,
        name="discipline_case_decide",
    ),
    path(
        "discipline/<int:pk>/no-discipline/",
        views.discipline_case_close,
        name="discipline_case_close",
    ),
    path(
        "discipline/<int:pk>/annulment/",
        views.discipline_case_annul,
        name="discipline_case_annul",
    ),
    path(
        "discipline/<int:pk>/decision.pdf",
        views.discipline_case_pdf,
        name="discipline_case_pdf",
    ),
    # Raises
    path("raises/", views.raise_due_list, name="raise_due_list"),
    path("raises/export.xlsx", views.raise_due_export, name="raise_due_export"),
    path("raises/<int:pk>/record/", views.raise_record, name="raise_record"),
    path("raises/early/", views.early_raise_list, name="early_raise_list"),
    path(
        "raises/early/<int:pk>/record/",
        views.early_raise_record,
        name="early_raise_record",
    ),
]
