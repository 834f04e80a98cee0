"""What marks a village's statistics summary dirty (reports.refresh.mark_dirty)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from assistance.models import AssistanceMeasure
from core.workflow.models import WorkflowEvent
from households.models import Household, ImportBatch, Member
from reports import refresh


def _household_saved(sender, instance, **kwargs) -> None:
    refresh.mark_dirty(instance.village_id)


def _via_household(sender, instance, **kwargs) -> None:
    refresh.mark_dirty(household_id=instance.household_id)


def _event_saved(sender, instance, created, **kwargs) -> None:
    if created:
        refresh.mark_dirty(instance.region_code if len(instance.region_code or "") == 12 else None)


def _import_saved(sender, instance, **kwargs) -> None:
    """A confirmed import (bulk rows, no model signals): a village's at commit, a township's or
    county's in a Celery task after commit (a county's rebuild takes seconds to a minute)."""
    if instance.status != ImportBatch.Status.IMPORTED or not instance.region_id:
        return
    if len(instance.region_id) == 12 and not instance.region_id.endswith("000"):
        refresh.mark_dirty(instance.region_id)
        return
    from reports.tasks import refresh_region_statistics

    code = instance.region_id
    transaction.on_commit(lambda: refresh_region_statistics.delay(code))


def connect() -> None:
    uid = "reports.statistics"
    post_save.connect(_household_saved, sender=Household, dispatch_uid=f"{uid}.household")
    for model in (Member, AssistanceMeasure):
        post_save.connect(_via_household, sender=model, dispatch_uid=f"{uid}.{model.__name__}.save")
        post_delete.connect(_via_household, sender=model, dispatch_uid=f"{uid}.{model.__name__}.delete")
    post_save.connect(_event_saved, sender=WorkflowEvent, dispatch_uid=f"{uid}.event")
    post_save.connect(_import_saved, sender=ImportBatch, dispatch_uid=f"{uid}.import")
