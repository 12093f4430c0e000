"""Static files storage for production."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: Any) -> tuple[Any, ...]:
    kept = []
    for extension, rules in patterns:
        rules = tuple(r for r in rules if "sourceMappingURL" not in str(r))
        if rules:
            kept.append((extension, rules))
    return tuple(kept)


class MendStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Hashed, compressed static files, leaving `sourceMappingURL` comments alone.

    The vendored USWDS files end with such comments, but we do not ship their source maps
    (they only help when debugging USWDS itself, and they name the builder's paths).
    """

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
