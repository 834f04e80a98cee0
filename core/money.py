"""Money arithmetic shared by every floor: yuan with 2 places, ROUND_HALF_UP, rounded once at the end."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_yuan(value: Decimal) -> Decimal:
    """Round once, at the end, to 0.01 yuan half-up."""
    if value.__class__ is not Decimal:  # an int, or a Decimal subclass
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
