from django.urls import path

from appraisals import views

app_name = "appraisals"

urlpatterns = [
    path("today/", views.dossier_today, name="dossier_today"),
    path("at-risk/", views.dossier_at_risk, name="dossier_at_risk"),
    path("dossiers/", views.dossier_list, name="dossier_list"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path(
        "dossiers/<int:pk>/apology-slip/",
        views.apology_slip_create,
        name="apology_slip_create",
    ),
    path(
        "dossiers/<int:pk>/apology-slip.pdf",
        views.apology_slip_pdf,
        name="apology_slip_pdf",
    ),
    path("indicators/", views.indicator_report, name="indicator_report"),
    path(
        "indicators/report.xlsx",
        views.indicator_report_xlsx,
        name="indicator_report_xlsx",
    ),
    path(
        "indicators/report.pdf",
        views.indicator_report_pdf,
        name="indicator_report_pdf",
    ),
]
