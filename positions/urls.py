from django.urls import path

from positions import views

app_name = "positions"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_update, name="unit_update"),
    path(
        "units/<int:pk>/grade-structure/",
        views.unit_grade_structure,
        name="unit_grade_structure",
    ),
    path(
        "units/<int:pk>/grade-structure/target/",
        views.grade_target_set,
        name="grade_target_set",
    ),
    path("positions/", views.position_list, name="position_list"),
    path("positions/new/", views.position_create, name="position_create"),
    path("positions/<int:pk>/", views.position_detail, name="position_detail"),
    path("positions/<int:pk>/edit/", views.position_update, name="position_update"),
    path(
        "positions/<int:pk>/competencies/",
        views.position_competencies,
        name="position_competencies",
    ),
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("establishment/", views.establishment_report, name="establishment_report"),
    path(
        "establishment/export.xlsx",
        views.establishment_xlsx,
        name="establishment_xlsx",
    ),
    path("establishment/export.pdf", views.establishment_pdf, name="establishment_pdf"),
]
