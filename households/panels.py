"""Read-only panels that upper floors contribute to the household page (e.g. programs' eligibility
decisions). The registry knows no rules: an app registers a panel in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin


@dataclass(frozen=True)
class HouseholdPanel:
    title: str  # the fieldset title on the household page
    field: Callable  # field(household) -> safe HTML; an admin read-only callable


_PANELS: dict[str, HouseholdPanel] = {}


def register_household_panel(name: str, title: str, render: Callable) -> None:
    """`render(household)` returns safe HTML; `name` keeps one panel per contributor."""
    field = admin.display(description=title)(render)
    field.__name__ = name  # the CSS class Django gives the read-only field
    _PANELS[name] = HouseholdPanel(title=title, field=field)


def household_panels() -> tuple[HouseholdPanel, ...]:
    return tuple(_PANELS.values())
