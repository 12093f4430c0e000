from django.urls import path

from mend.processes import attachment_views, calendar_views

app_name = "processes"

urlpatterns = [
    path("calendar/", calendar_views.week, name="calendar_week"),
    path("calendar/month/", calendar_views.month, name="calendar_month"),
    path("calendar/feed/", calendar_views.feed_page, name="calendar_feed"),
    path("calendar/feed/new/", calendar_views.create_feed, name="create_calendar_feed"),
    path("calendar/feed/revoke/", calendar_views.revoke_feed, name="revoke_calendar_feed"),
    # No sign-in: the token in the address is the credential.
    path("calendar/feed/<str:token>.ics", calendar_views.feed, name="calendar_feed_ics"),
    # A letter's file, as a download, for those who may read the letter.
    path(
        "cases/<str:reference>/letters/<int:letter>/attachments/<int:attachment>/",
        attachment_views.download_attachment,
        name="letter_attachment",
    ),
]
