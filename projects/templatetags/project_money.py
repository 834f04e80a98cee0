"""`{{ amount|yuan }}`: 150,000.00, grouped as printed notices show money (the locale does not group)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
