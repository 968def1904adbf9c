from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from hrms import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("access-log/", views.access_log, name="access_log"),
    path("org/", include("positions.urls")),
    path("staff/", include("staff.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("public/", include("recruitment.public_urls")),
    path("one-stop/", include("appraisals.urls")),
    path("tasks/", include("appraisals.task_urls")),
    path("appraisals/", include("appraisals.cycle_urls")),
    path("api/v1/", include("hrms.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "hrms.views.permission_denied"
handler404 = "hrms.views.page_not_found"
handler500 = "hrms.views.server_error"
