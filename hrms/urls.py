from django.contrib import admin
from django.urls import include, path

from hrms import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("access-log/", views.access_log, name="access_log"),
    path("org/", include("positions.urls")),
    path("staff/", include("staff.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "hrms.views.permission_denied"
handler404 = "hrms.views.page_not_found"
handler500 = "hrms.views.server_error"
