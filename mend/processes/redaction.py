"""The recipient's copy of a letter: the text with the redacted passages replaced by a
visible marker, so the recipient knows something was removed but never reads it.

A redaction is given as an exact passage or as a character range of the text. Either way
the words it covers are removed wherever they appear in the letter, so the same words
elsewhere cannot give away what was taken out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Range = tuple[int, int]


def marker() -> str:
    return _("[removed by the facilitator]")


def passages_of(body: str, passages: Iterable[str], ranges: Iterable[Range]) -> list[str]:
    """The texts to remove, checked against the body: each must be found in it."""
    found: list[str] = []
    for passage in passages:
        if not passage.strip():
            continue
        if passage not in body:
            raise ValidationError(
                {
                    "redact": _("“%(passage)s” is not in the text of the letter.")
                    % {"passage": passage}
                }
            )
        found.append(passage)
    for start, end in ranges:
        if not 0 <= start < end <= len(body):
            raise ValidationError({"redact": _("A passage to remove is outside the text.")})
        if body[start:end].strip():
            found.append(body[start:end])
    return list(dict.fromkeys(found))


def covered(body: str, passages: Sequence[str]) -> list[Range]:
    """Every place any passage occurs (overlaps included), merged into disjoint ranges."""
    spans: list[Range] = []
    for passage in passages:
        at = body.find(passage)
        while at != -1:
            spans.append((at, at + len(passage)))
            at = body.find(passage, at + 1)
    merged: list[Range] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def recipient_copy(body: str, passages: Sequence[str]) -> str:
    """The body with every occurrence of every passage replaced by the marker."""
    out, last = [], 0
    for start, end in covered(body, passages):
        out += [body[last:start], marker()]
        last = end
    out.append(body[last:])
    return "".join(out)
