"""Pure arithmetic of the 扶贫项目库: shares of an asset's income (R32). No ORM, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from core.money import CENT, to_yuan

WEIGHTS_EMPTY = "没有可分配的受益户"


def split(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Shares of `total` in proportion to `weights` (1 each: equal shares; persons: by persons),
    rounded once to the cent and adding up to `total` exactly (R32): each share is first rounded down,
    then the cents left over go one each to the shares with the largest cut-off remainders, ties to
    the earlier one (callers order households by id, so the same input always gives the same shares)."""
    if not weights or sum(weights) <= 0:
        raise ValueError(WEIGHTS_EMPTY)
    cents = int(to_yuan(total) / CENT)
    whole = sum(weights)
    floors = [cents * w // whole for w in weights]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(cents * weights[i] % whole), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]
