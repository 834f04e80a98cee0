"""Cell text safety shared by every workbook fupin writes (import error reports, county ledgers)."""

FORMULA_FIRST_CHARS = frozenset("=+-@\t\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe (OWASP CSV injection)."""
    if text and text[0] in FORMULA_FIRST_CHARS:
        return "'" + text
    return text


def safe_csv_writer(out, **kwargs):
    """csv.writer whose text cells are neutralised like the xlsx ones (a CSV opens in Excel too)."""
    import csv

    writer = csv.writer(out, **kwargs)

    class _Safe:
        def writerow(self, row):
            return writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])

        def writerows(self, rows):
            for row in rows:
                self.writerow(row)

    return _Safe()
