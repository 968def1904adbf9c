from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hrms import views
from hrms.auth import views as auth_views

urlpatterns = [
    path("", views.home, name="home"),
    # Before Django's auth URLs: the login with a second step for 2FA users.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("hrms.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("access-log/", views.access_log, name="access_log"),
    path("jobs/", include("hrms.job_urls")),
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
        # The split view serves its init script as a file: no inline script (CSP).
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "hrms.views.permission_denied"
handler404 = "hrms.views.page_not_found"
handler500 = "hrms.views.server_error"
