"""A URLconf for tests only: a view that fails, to prove the 500 page hides details."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", boom), path("", include("config.urls"))]
