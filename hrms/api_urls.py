"""The API under /api/v1/ (DESIGN.md §4.4): each app's router, one include each.

Names are in the `api` namespace: api:dossier-list, api:dossier-detail,
api:employee-list, api:employee-detail, api:position-list, api:position-detail,
api:appraisal-list, api:appraisal-detail.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("appraisals.api")),
    path("", include("staff.api")),
    path("", include("positions.api")),
    path("", include("appraisals.appraisal_api")),
]
