"""The transport-neutral request and response every transport translates to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional


@dataclass
class HttpRequest:
    method: str
    url: str  # absolute: scheme://host[:port]/path?query
    headers: Mapping[str, str]
    body: bytes = b""
    # Lower-cased name -> value (the first of a name), made on the first lookup.
    _lower: Optional[Dict[str, str]] = field(default=None, init=False, repr=False, compare=False)

    def lowered(self) -> Dict[str, str]:
        """The headers by lower-cased name (the first of a name met case-insensitively wins)."""
        lower = self._lower
        if lower is None:
            # Built last to first, so that the first of a name is the one kept.
            lower = self._lower = {key.lower(): value for key, value in reversed(list(self.headers.items()))}
        return lower

    def header(self, name: str, default: str = "") -> str:
        """Case-insensitive header lookup (transports hand us plain dicts)."""
        return self.lowered().get(name.lower(), default)


@dataclass
class HttpResponse:
    status: int
    body: bytes
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")
