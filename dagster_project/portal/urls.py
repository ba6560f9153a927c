"""The portal's paths. Other tools rely on /login/ (fields username, password), /logout/, /,
/upload/ (helper app ``portal.upload``) and /review/ (issue 20)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from dagster_project.portal import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("receipts/<str:batch>/<str:name>", views.receipt, name="receipt"),
    path("review/", views.review, name="review"),
    path("downloads/<str:name>", views.download, name="download"),
    path("", include("dagster_project.portal.upload.urls")),
]

handler403 = "dagster_project.portal.views.forbidden"
