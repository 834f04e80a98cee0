"""A logging filter: no full ID number or bank account in any log line (households.privacy.scrub)."""

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
