from django.urls import path

from hrms import job_views

app_name = "jobs"

urlpatterns = [
    path("", job_views.job_list, name="job_list"),
    path("<int:pk>/", job_views.job_detail, name="job_detail"),
    path("<int:pk>/status.json", job_views.job_status, name="job_status"),
    path("<int:pk>/download/", job_views.job_download, name="job_download"),
    path("import/", job_views.job_import, name="job_import"),
    path("export/", job_views.job_export, name="job_export"),
    path("compute/", job_views.job_compute, name="job_compute"),
    path("apology-slips/", job_views.job_apology_slips, name="job_apology_slips"),
]
