from django.urls import path

from mend.processes import views

app_name = "processes"

urlpatterns = [
    path("program/rooms/", views.venues, name="venues"),
    path("program/rooms/new/", views.add_venue, name="add_venue"),
    path("program/rooms/<int:venue_id>/", views.change_venue, name="change_venue"),
    path("program/rooms/<int:venue_id>/retire/", views.retire_venue, name="retire_venue"),
    path("availability/", views.availability, name="availability"),
    path(
        "availability/<int:slot_id>/remove/",
        views.remove_availability,
        name="remove_availability",
    ),
]
