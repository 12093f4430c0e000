"""Meetings of a restorative process: who is invited, where, when, and what happened.

Times are stored in UTC and shown in the program's time zone. The venue is encrypted:
for a home visit it is a participant's address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mend.cases.models import Case, Participant
from mend.core.fields import EncryptedTextField
from mend.programs.models import ProcessType, Program
from mend.programs.practice import DIRECT_PROCESSES

if TYPE_CHECKING:
    from mend.accounts.models import User

USER = settings.AUTH_USER_MODEL

# A meeting is a preparation meeting or a meeting of a process; letters are not meetings.
KINDS = [(value, label) for value, label in ProcessType.choices if value != "letter_exchange"]


class Venue(models.Model):
    """A room the program meets in. Retired rooms stay, for the meetings held there."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("how many people it holds"))
    # How to get in: the door, the lift, parking. About the place, not about anyone.
    access_notes = models.TextField(_("access notes"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "program",
                condition=models.Q(is_active=True),
                name="venue_active_name_once",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="venue_holds_someone"),
        ]

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """A weekly time a facilitator can take meetings, on the program's clock."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="availability")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("available time")
        verbose_name_plural = _("available times")
        ordering = ["weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="availability_ends_after",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class Meeting(models.Model):
    class VenueKind(models.TextChoices):
        ROOM = "room", _("A room")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone call")
        HOME_VISIT = "home_visit", _("Home visit")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        DID_NOT_HAPPEN = "did_not_happen", _("Did not happen")

    class CancelReason(models.TextChoices):
        REQUESTED = "requested", _("A participant asked to cancel")
        STAFF = "staff", _("Staff not available")
        RESCHEDULED = "rescheduled", _("To be rearranged")
        OTHER = "other", _("Other")
        # Set only by the automatic cancellation.
        WITHDRAWAL = "withdrawal", _("A participant withdrew")
        CONSENT = "consent", _("Consent no longer given")
        NOT_SUITABLE = "not_suitable", _("Safety assessment no longer allows it")
        PAUSED = "paused", _("The case was paused")
        CLOSED = "closed", _("The case was closed")
        PROTECTIVE_ORDER = "protective_order", _("A no-contact or protective order forbids it")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=KINDS)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_kind = models.CharField(_("where"), max_length=12, choices=VenueKind.choices)
    # A room's name, a video link, a phone number or a home address.
    venue = EncryptedTextField(_("place or link"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=16, choices=CancelReason.choices, blank=True
    )
    # How long it actually lasted, recorded when it is marked held.
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), null=True)
    lead = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="led_meetings")
    # A room from the program's list, when the meeting is in one of its rooms.
    room = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    co_facilitators: models.ManyToManyField[User, Any] = models.ManyToManyField(
        USER, blank=True, related_name="co_facilitated_meetings", verbose_name=_("co-facilitators")
    )
    # A language code (mend.core.languages); blank: no interpreter.
    interpreter_language = models.CharField(_("interpreter"), max_length=10, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_status_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_joint(self) -> bool:
        return self.kind in DIRECT_PROCESSES

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.CONFIRMED)

    @property
    def room_name(self) -> str:
        """The room's name from the program's list (or, for meetings planned before the
        list, the name typed in); "" for a meeting not in a room."""
        if self.venue_kind != self.VenueKind.ROOM:
            return ""
        return self.room.name if self.room is not None else str(self.venue).strip()


class MeetingInvitee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    # Recorded when the meeting is marked held; None until then.
    attended = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="invitee_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.meeting_id}"


class Letter(models.Model):
    """A letter or message from one person in a case to another, carried by the program.

    Staff enter it on the author's behalf. Each text is a LetterVersion, reviewed by a
    facilitator; only an approved version's copy for the recipient is ever delivered.
    """

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        MESSAGE = "message", _("Message")

    class Status(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
        RETURNED = "returned", _("Returned to the author")
        WITHHELD = "withheld", _("Withheld")
        APPROVED = "approved", _("Approved, not yet delivered")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("The recipient declined to receive it")

    class Method(models.TextChoices):
        POST = "post", _("By post")
        IN_PERSON = "in_person", _("In person")
        EMAIL = "email", _("By e-mail")
        PORTAL = "portal", _("Through the portal")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.LETTER)
    author = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    # A reply threads back to the letter it answers.
    reply_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AWAITING_REVIEW
    )
    delivered_on = models.DateField(_("delivered on"), null=True)
    delivery_method = models.CharField(
        _("how it was delivered"), max_length=10, choices=Method.choices, blank=True
    )
    declined_on = models.DateField(_("declined on"), null=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter or message")
        verbose_name_plural = _("letters and messages")
        ordering = ["created_at", "id"]
        # The reports read letters by the day they were delivered.
        indexes = [models.Index(fields=["delivered_on"], name="letter_delivered_on")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(author=models.F("recipient")), name="letter_not_to_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class LetterVersion(models.Model):
    """One text of a letter, as the author wrote it, and the facilitator's decision on it.

    Every version is kept. `recipient_text` is made on approval: the body with each
    redacted passage replaced by a visible marker. The body itself is never delivered.
    """

    class Decision(models.TextChoices):
        PENDING = "", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")
        WITHHELD = "withheld", _("Withheld")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = EncryptedTextField(_("text"))
    recipient_text = EncryptedTextField(_("the recipient's copy"), blank=True)
    redacted = models.PositiveIntegerField(_("passages removed"), default=0)
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, blank=True, default=""
    )
    # The comments for the author on return, or the reason for withholding.
    comments = EncryptedTextField(_("comments or reason"), blank=True)
    written_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("version of a letter")
        verbose_name_plural = _("versions of letters")
        ordering = ["letter_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="letter_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} v{self.number}"


class MeetingNotice(models.Model):
    """An e-mail sent about a meeting: to an invitee, or to a member of staff.

    Written before the e-mail goes, under a unique key, so that a notice goes once even
    when the reminder command runs twice or two workers race (mend/processes/mail.py).
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        UPDATE = "update", _("Change")
        CANCELLATION = "cancellation", _("Cancellation")
        REMINDER = "reminder", _("Reminder")
        STAFF_CANCELLATION = "staff_cancellation", _("Cancellation notice to staff")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    invitee = models.ForeignKey(
        MeetingInvitee, on_delete=models.CASCADE, null=True, related_name="notices"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The iCalendar SEQUENCE the notice carried (the meeting's version when it was sent).
    sequence = models.PositiveIntegerField()
    # When, where and how long, as sent: a change is announced only when these differ.
    sent_fingerprint = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting e-mail")
        verbose_name_plural = _("meeting e-mails")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitee", "kind", "sequence"],
                condition=models.Q(invitee__isnull=False),
                name="notice_to_invitee_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "sequence"],
                condition=models.Q(user__isnull=False),
                name="notice_to_staff_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.meeting_id} #{self.sequence}"


class CalendarFeed(models.Model):
    """A private address from which one person's calendar app reads the meetings they lead.

    The address carries a secret token; only its SHA-256 is stored, so the address is
    shown once, when it is made. Revoking it stops it working at once.
    """

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="calendar_feeds")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One working address per person per program; old ones stay, revoked, as record.
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_working_calendar_feed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.program_id}"


class ConferenceRecord(models.Model):
    """What happened at a joint meeting that was held: who spoke, the harms described,
    each party's needs, the obligations accepted and what was agreed in outline.

    The agreement work that follows builds on it. Only the case team and coordinators
    read it. It is changed in place, its version checked; the audit keeps each change.
    """

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="conference_record"
    )
    speakers = models.ManyToManyField(Participant, related_name="+", verbose_name=_("who spoke"))
    harms = EncryptedTextField(_("the harms described"), blank=True)
    obligations = EncryptedTextField(_("obligations accepted"), blank=True)
    agreed = EncryptedTextField(_("agreed in outline"), blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("conference record")
        verbose_name_plural = _("conference records")

    def __str__(self) -> str:
        return f"record of meeting {self.meeting_id}"


class PartyNeeds(models.Model):
    """What one party said they need, in a conference record."""

    record = models.ForeignKey(ConferenceRecord, on_delete=models.CASCADE, related_name="needs")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("needs"))

    class Meta:
        verbose_name = _("a party's needs")
        verbose_name_plural = _("the parties' needs")
        ordering = ["participant_id"]
        constraints = [models.UniqueConstraint(fields=["record", "participant"], name="needs_once")]

    def __str__(self) -> str:
        return f"needs of {self.participant_id} in record {self.record_id}"


class LetterAttachment(models.Model):
    """A file sent with one version of a letter: a scan, an audio or video message.

    Reviewed with its version: the recipient only ever gets the attachments of an approved
    version that the facilitator did not remove. The file lives in the private storage
    under a random name; the name it came with is kept (encrypted) only to offer it back.
    """

    version = models.ForeignKey(LetterVersion, on_delete=models.CASCADE, related_name="attachments")
    original_name = EncryptedTextField(_("file name"))
    # Several versions may share one file: a revision keeps the files of the one before.
    stored_name = models.CharField(max_length=80)
    # Found from the content, never from the name or what the browser said.
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    removed = models.BooleanField(_("removed by the facilitator"), default=False)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["version_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} attachment {self.pk}"
