"""Public disclosure pages (DESIGN.md §4.4): no login, published facts only."""

from django.urls import path

from recruitment import public_views

app_name = "public"

urlpatterns = [
    path("recruitment/", public_views.drive_list, name="drive_list"),
    path("recruitment/<int:pk>/", public_views.drive_detail, name="drive_detail"),
    path("appointments/", public_views.appointment_list, name="appointment_list"),
]
