"""Import services: preview (read + validate, write nothing), stage (store a clean file as a batch),
confirm (validate again against today's database and load everything in one transaction)."""

from __future__ import annotations

from dataclasses import dataclass

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.excel.parsing import read_upload
from households import permissions
from households.excel.columns import REGISTRY_HEADERS
from households.excel.loading import load_plan
from households.excel.validation import ImportPlan, validate_sheet
from households.models import ImportBatch

IMPORT_NOT_ALLOWED = "您的角色不能导入建档立卡户信息"
BATCH_NOT_PENDING = "该批次已处理（{status}），不能重复导入"
BATCH_NOT_YOURS = "只能确认自己上传的批次"
BATCH_NOW_INVALID = (
    "文件在确认时重新校验发现 {n} 处问题（数据可能已被他人修改），未导入任何数据，请重新上传预览"
)
BATCH_CONFLICT = "导入时与其他人同时导入的数据发生冲突，未导入任何数据，请重新上传预览"


@dataclass
class Preview:
    plan: ImportPlan
    batch: ImportBatch | None


def check_may_import(user) -> None:
    if not permissions.can_enter_households(user):
        raise PermissionDenied(IMPORT_NOT_ALLOWED)


def plan_upload(*, data: bytes, filename: str, user) -> ImportPlan:
    """Read and validate; raises parsing.FileRejected for a file that cannot be read at all."""
    check_may_import(user)
    return validate_sheet(read_upload(data, filename, REGISTRY_HEADERS), user=user)


def preview_upload(*, data: bytes, filename: str, user) -> Preview:
    """A clean file becomes a pending batch; a file with problems becomes a 校验未通过 batch, kept
    only for its error report (error_report.write_error_report re-reads it)."""
    plan = plan_upload(data=data, filename=filename, user=user)
    batch = ImportBatch(
        original_name=filename[:200],
        created_by=user,
        region_id=user.region_id,
        row_count=plan.data_rows,
        household_count=len(plan.households),
        member_count=plan.member_count,
        status=ImportBatch.Status.PREVIEWED if plan.ok else ImportBatch.Status.REJECTED,
        summary={} if plan.ok else {"errors": len(plan.errors)},
    )
    batch.file.save(f"import-{user.pk}-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(data), save=False)
    batch.save()
    return Preview(plan=plan, batch=batch)


def confirm_batch(*, batch: ImportBatch, user) -> dict[str, int]:
    """All rows or none. Validation runs again: another clerk may have taken an ID meanwhile."""
    check_may_import(user)
    if batch.created_by_id != user.pk:
        raise PermissionDenied(BATCH_NOT_YOURS)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        # One confirmation at a time per county: the second re-validates after the first committed
        # and names the rows it now conflicts with (other counties meet the database's constraints).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"excel_import:{(user.region_id or '')[:6]}"]
            )
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ValidationError(BATCH_NOT_PENDING.format(status=batch.get_status_display()))
        with batch.file.open("rb") as handle:
            data = handle.read()
        plan = validate_sheet(read_upload(data, batch.original_name, REGISTRY_HEADERS), user=user)
        if not plan.ok:
            raise ValidationError(BATCH_NOW_INVALID.format(n=len(plan.errors)))
        try:
            with transaction.atomic(), pghistory.context(source="excel_import", import_batch=batch.pk):
                counts = load_plan(plan=plan, user=user)
        except IntegrityError:
            raise ValidationError(BATCH_CONFLICT) from None
        batch.status = ImportBatch.Status.IMPORTED
        batch.summary = counts
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "summary", "finished_at"])
    return counts


def import_file(*, data: bytes, filename: str, user) -> dict[str, int]:
    """Preview and confirm in one call (management command, benchmarks): all rows or none."""
    plan = plan_upload(data=data, filename=filename, user=user)
    if not plan.ok:
        raise ValidationError([f"第{e.row}行 {e.column}：{e.message}" for e in plan.errors[:50]])
    with transaction.atomic(), pghistory.context(source="excel_import"):
        return load_plan(plan=plan, user=user)
