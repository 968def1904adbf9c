"""Task register screens: my tasks, my team's tasks, reform plans, dashboards."""

from django.urls import path

from appraisals import task_views as views

app_name = "tasks"

urlpatterns = [
    path("", views.task_mine, name="task_mine"),
    path("team/", views.task_team, name="task_team"),
    path("new/", views.task_create, name="task_create"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("<int:pk>/review/", views.task_review, name="task_review"),
    path("<int:pk>/waive/", views.task_waive, name="task_waive"),
    path("reform-plans/", views.reform_plan_list, name="reform_plan_list"),
    path("reform-plans/new/", views.reform_plan_create, name="reform_plan_create"),
    path("reform-plans/<int:pk>/", views.reform_plan_detail, name="reform_plan_detail"),
    path(
        "reform-plans/<int:pk>/items/",
        views.reform_item_create,
        name="reform_item_create",
    ),
    path(
        "reform-plans/items/<int:pk>/link/",
        views.reform_task_link,
        name="reform_task_link",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/xlsx/", views.dashboard_xlsx, name="dashboard_xlsx"),
]
