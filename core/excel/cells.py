"""Cell text safety shared by every workbook fupin writes (import error reports, county ledgers)."""

FORMULA_FIRST_CHARS = frozenset("=+-@\t\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe (OWASP CSV injection)."""
    if text and text[0] in FORMULA_FIRST_CHARS:
        return "'" + text
    return text
