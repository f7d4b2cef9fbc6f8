"""Addresses of the portal: pages, the JSON API, the framework's sign-in and admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, register_converter

from pipelines.portal import api, views
from pipelines.portal.forms import SignInForm
from pipelines.settings import FIRST_YEAR
from pipelines.settings import today as finland_today


class CollectionYear:
    """A statistics year in an address: FIRST_YEAR to this year, else no such page
    (404). A year beyond has no collection dates at all, and a page or a POST for it
    must neither fail nor write anything."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= finland_today().year:
            raise ValueError(f"no collection for {year}")
        return year

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(CollectionYear, "year")

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", authentication_form=SignInForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "welcome/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="welcome",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("upload/", views.upload, name="upload"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/status", views.submission_status, name="submission_status"),
    path("submissions/<int:pk>/annotated.xlsx", views.annotated, name="annotated"),
    path("submissions/<int:pk>/explain", views.explain, name="explain"),
    path("templates/<str:lang>/<str:name>", views.template_download, name="template"),
    path("collection/<year:year>/", views.collection, name="collection"),
    path("collection/<year:year>/missing.csv", views.missing_csv, name="missing_csv"),
    path("collection/<year:year>/release", views.release, name="release"),
    path("collection/<year:year>/<str:region_code>/", views.review, name="review"),
    path("api/v1/submissions", api.submissions, name="api_submissions"),
    path("api/v1/submissions/<int:submission_id>", api.submission, name="api_submission"),
    path("api/v1/check", api.check, name="api_check"),
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
    # Anything else under /api/ (a trailing slash, an id that is not a number) is a
    # 404 in JSON, not the pages' HTML.
    re_path(r"^api/", api.not_found),
    path("admin/", admin.site.urls),
]

# The portal's own error pages, in the reader's language (`errors.py`).
handler400 = "pipelines.portal.errors.bad_request"
handler403 = "pipelines.portal.errors.forbidden"
handler404 = "pipelines.portal.errors.not_found"
handler500 = "pipelines.portal.errors.server_error"
