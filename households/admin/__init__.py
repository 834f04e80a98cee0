"""The registry's admin pages, each model registered once (in the module of its concern)."""

from households.admin import chain, excel, household, review, support  # noqa: F401 - registered on import
