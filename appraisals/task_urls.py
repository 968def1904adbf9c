"""Task register screens: my tasks, my team's tasks, reform plans, dashboards."""

from django.urls import path  # noqa: F401

app_name = "tasks"

urlpatterns: list = []
