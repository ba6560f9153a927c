from __future__ import annotations

from django.urls import path

from dagster_project.portal.upload import views

urlpatterns = [path("upload/", views.upload, name="upload")]
