from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_yuan(value: Decimal) -> Decimal:
    """Round once, at the end, to 0.01 yuan half-up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
