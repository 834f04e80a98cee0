"""Location fields (WGS-84 degrees, as browsers report them) shared by households and visits."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def latitude_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip


def longitude_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
