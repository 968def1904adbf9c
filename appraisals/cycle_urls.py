"""Appraisal screens: cycles, self-assessment, proposals, decisions, the cap meter, PDFs."""

from django.urls import path  # noqa: F401

app_name = "appraisal"

urlpatterns: list = []
