"""The dated-parameter reader, as a port of the ground floor.

Dated, region-scoped parameters (every amount, percentage and duration, with its 文号) are stored and
read on the programs floor. The review chain below it needs one of them — the minimum 公示 length —
so programs plugs its reader in here from `ProgramsConfig.ready()`; nothing here knows the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

Reader = Callable[..., Decimal | str]
_reader: Reader | None = None


def register_reader(reader: Reader) -> None:
    """reader(key, *, region_code, as_of) -> the value valid for that region on that day."""
    global _reader
    _reader = reader


def value(key: str, *, region_code: str, as_of: dt.date) -> Decimal | str:
    if _reader is None:
        raise ImproperlyConfigured("no dated-parameter reader registered (programs is not installed)")
    return _reader(key, region_code=region_code, as_of=as_of)
