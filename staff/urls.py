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
]
