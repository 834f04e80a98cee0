"""A logging filter: no full ID number, bank account or mobile number in any log line (core.privacy.scrub)."""

from __future__ import annotations

import logging

from core.privacy import scrub


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
