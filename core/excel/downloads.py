"""Sending generated workbooks: the xlsx content type and temp files that delete themselves once sent."""

from __future__ import annotations

import contextlib
import os

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _DeletingFile:
    """A temp file that removes itself once the response has been sent."""

    def __init__(self, path: str):
        self.path = path
        self.handle = open(path, "rb")  # noqa: SIM115 - closed by FileResponse

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def close(self) -> None:
        self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def file_response(path: str, filename: str) -> FileResponse:
    return FileResponse(_DeletingFile(path), as_attachment=True, filename=filename, content_type=XLSX)
