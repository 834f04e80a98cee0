"""Which admin pages a user can reach, and what counts as non-Chinese UI text on them.

Used by the browser crawler (`test_crawler.py`); plain Python so it can be checked without a browser.
"""

from __future__ import annotations

import re

from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

# Latin words a Chinese user screen may show: file formats, product names, units.
ALLOWED_WORDS = {
    "Excel", "xlsx", "xls", "csv", "UTF", "GBK", "ID", "PDF", "OK", "GB", "kg", "km", "cm", "No",
}  # fmt: skip
# Internal references and developer text that must never reach a user screen.
INTERNAL = [
    re.compile(r"domain\.md"),
    re.compile(r"\[U\]"),
    re.compile(r"\bR\d{1,2}\b"),
    re.compile(r"\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*\b"),  # parameter keys like classified.elderly_age
    re.compile(r"\b(True|False|true|false|None|null)\b"),
]
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
# A file's fingerprint (文件指纹, SHA-256 in hex) is shown so two uploads can be told apart; its
# letters a–f are no English word, though they would match WORD depending on the hash.
FINGERPRINT = re.compile(r"\b[0-9a-f]{32,}\b")


def offending_text(text: str, *, allowed: set[str] = frozenset()) -> list[str]:
    """English words, parameter keys, true/false/None and internal references found in `text`."""
    found: list[str] = []
    text = FINGERPRINT.sub(" ", text)
    for pattern in INTERNAL:
        found += [m.group(0) for m in pattern.finditer(text)]
    for match in WORD.finditer(text):
        word = match.group(0)
        if word in ALLOWED_WORDS or word in allowed:
            continue
        found.append(word)
    return sorted(set(found))


_STANDARD = {"changelist", "add", "history", "delete", "change", "autocomplete", "view_on_site"}


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def reachable_pages(user) -> list[str]:
    """Changelist, add form, one change form and the custom pages of every admin the user may view."""
    request = _request_for(user)
    urls: list[str] = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request) and not model_admin.has_view_permission(request):
            continue
        if not model_admin.has_view_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model_admin.get_queryset(request).order_by("-pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None) or ""
            prefix = "{}_{}_".format(*info)
            if not name.startswith(prefix) or name[len(prefix) :] in _STANDARD:
                continue
            try:
                urls.append(reverse(f"admin:{name}"))
            except NoReverseMatch:
                if obj is None or "pk" not in str(pattern.pattern):
                    continue
                try:
                    urls.append(reverse(f"admin:{name}", kwargs={"pk": obj.pk}))
                except NoReverseMatch:
                    continue
    return urls
