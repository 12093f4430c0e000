from django.urls import path

from mend.processes import attachment_views, calendar_views, meeting_views, venue_views

app_name = "processes"

urlpatterns = [
    path("calendar/", calendar_views.week, name="calendar_week"),
    path("calendar/month/", calendar_views.month, name="calendar_month"),
    path("calendar/feed/", calendar_views.feed_page, name="calendar_feed"),
    path("calendar/feed/new/", calendar_views.create_feed, name="create_calendar_feed"),
    path("calendar/feed/revoke/", calendar_views.revoke_feed, name="revoke_calendar_feed"),
    # No sign-in: the token in the address is the credential.
    path("calendar/feed/<str:token>.ics", calendar_views.feed, name="calendar_feed_ics"),
    path(
        "cases/<str:reference>/meetings/<int:meeting_id>/",
        meeting_views.meeting_detail,
        name="meeting",
    ),
    path("program/rooms/", venue_views.venues, name="venues"),
    path("program/rooms/new/", venue_views.add_venue, name="add_venue"),
    path("program/rooms/<int:venue_id>/", venue_views.change_venue, name="change_venue"),
    path("program/rooms/<int:venue_id>/retire/", venue_views.retire_venue, name="retire_venue"),
    path("availability/", venue_views.availability, name="availability"),
    path(
        "availability/<int:slot_id>/remove/",
        venue_views.remove_availability,
        name="remove_availability",
    ),
    # A letter's file, as a download, for those who may read the letter.
    path(
        "cases/<str:reference>/letters/<int:letter>/attachments/<int:attachment>/",
        attachment_views.download_attachment,
        name="letter_attachment",
    ),
]
