from django.urls import path  # noqa: F401  (each page adds its path below)

app_name = "agreements"

urlpatterns: list = []
