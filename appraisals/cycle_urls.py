"""Appraisal screens: cycles, self-assessment, proposals, decisions, the cap
meter, PDFs."""

from django.urls import path

from appraisals.appraisal_views import cycles, documents, mine, reviews

app_name = "appraisal"

urlpatterns = [
    path("me/", mine.my_appraisal, name="my_appraisal"),
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/advance/", cycles.cycle_advance, name="cycle_advance"),
    path("cycles/<int:pk>/publish/", cycles.cycle_publish, name="cycle_publish"),
    path("cycles/<int:pk>/compute/", cycles.cycle_compute, name="cycle_compute"),
    path("cycles/<int:pk>/meeting/", cycles.cycle_meeting, name="cycle_meeting"),
    path("cycles/<int:pk>/cap/", cycles.cap_meter, name="cap_meter"),
    path(
        "cycles/<int:pk>/cap/exception/",
        cycles.cap_exception_create,
        name="cap_exception_create",
    ),
    path(
        "cycles/<int:pk>/summary.pdf",
        documents.cycle_summary_pdf,
        name="cycle_summary_pdf",
    ),
    path("<int:pk>/", reviews.appraisal_detail, name="appraisal_detail"),
    path("<int:pk>/propose/", reviews.appraisal_propose, name="appraisal_propose"),
    path("<int:pk>/decide/", reviews.appraisal_decide, name="appraisal_decide"),
    path("<int:pk>/notify/", reviews.appraisal_notify, name="appraisal_notify"),
    path("<int:pk>/complaint/", mine.complaint_file, name="complaint_file"),
    path("<int:pk>/form.pdf", documents.appraisal_pdf, name="appraisal_pdf"),
    path(
        "complaints/<int:pk>/resolve/",
        reviews.complaint_resolve,
        name="complaint_resolve",
    ),
]
