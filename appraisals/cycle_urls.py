"""Appraisal screens: cycles, self-assessment, proposals, decisions, PDFs."""

from django.urls import path  # noqa: F401

app_name = "appraisal"

urlpatterns: list = []
