"""Export services: who may export what, the workbook writer, and the small-now / large-as-job split."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import xlsxwriter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from core import permissions as core_permissions
from core import privacy, scoping
from core.choices import Role
from core.models import Region
from reports.ledgers import (
    COUNTY_WORKBOOK,
    COUNTY_WORKBOOK_KEY,
    LEDGERS,
    OWN_SHEETS,
    ExportContext,
    Ledger,
    write_ledger,
)
from reports.models import ExportJob

UNKNOWN_LEDGER = "未知的台账：{key}"
REGION_OUT_OF_SCOPE = "所选区划不在您的管辖范围内"
EXPORT_NOT_ALLOWED = "您的角色不能导出该台账"
FULL_EXPORT_NOT_ALLOWED = "您的角色不能导出含完整身份信息的台账"
FULL_EXPORT_REASON_REQUIRED = "导出含完整身份信息的台账须填写事由（如：银行代发）"
JOB_NOT_YOURS = "只能下载自己发起的导出任务"
JOB_NOT_READY = "导出任务尚未完成"

# 市 users see summaries only (domain.md#permissions); every other role exports inside its own scope.
CITY_LEDGERS = frozenset({"village_summary"})


@dataclass
class ExportOutcome:
    """Either a finished file (small exports) or a queued job (large ones)."""

    path: str | None
    filename: str
    job: ExportJob | None
    rows: int


def ledgers_for(key: str) -> tuple[Ledger, ...]:
    if key == COUNTY_WORKBOOK_KEY:
        return COUNTY_WORKBOOK
    if key not in LEDGERS:
        raise ValidationError(UNKNOWN_LEDGER.format(key=key))
    return (LEDGERS[key],)


def ledger_choices(user=None) -> list[tuple[str, str]]:
    """The ledgers on offer; with a user, only those the user may export (the city: one)."""
    choices = [(COUNTY_WORKBOOK_KEY, "县级台账（全部14张表）")] + [
        (ledger.key, ledger.title) for ledger in (*COUNTY_WORKBOOK, *OWN_SHEETS)
    ]
    if user is None:
        return choices
    allowed = []
    for key, title in choices:
        try:
            check_may_export(user=user, key=key)
        except PermissionDenied:
            continue
        allowed.append((key, title))
    return allowed


def check_may_export(*, user, key: str) -> None:
    role = core_permissions.role_of(user)
    if role is None:
        raise PermissionDenied(EXPORT_NOT_ALLOWED)
    if role == Role.CITY_SUPERVISOR and key not in CITY_LEDGERS:
        raise PermissionDenied(EXPORT_NOT_ALLOWED)


def export_context(
    *, user, region_code: str = "", year: int | None = None, full_identity: bool = False
) -> ExportContext:
    """The region defaults to the user's own; a chosen region must lie inside the user's scope."""
    if region_code:
        if not scoping.is_in_scope(user, region_code):
            raise PermissionDenied(REGION_OUT_OF_SCOPE)
        region = Region.objects.get(code=region_code)
    else:
        region = user.region if not (user.is_superuser or user.role == Role.SYSTEM_ADMIN) else None
    return ExportContext(user=user, region=region, year=year, full_identity=full_identity)


def estimate_rows(*, key: str, ctx: ExportContext) -> int:
    return sum(ledger.count(ctx) for ledger in ledgers_for(key))


def export_filename(*, key: str, ctx: ExportContext) -> str:
    name = "县级台账" if key == COUNTY_WORKBOOK_KEY else LEDGERS[key].title
    stamp = timezone.localtime(ctx.now).strftime("%Y%m%d%H%M")
    return f"{ctx.region_title()}{name}_{stamp}.xlsx"


def write_workbook(target, *, key: str, ctx: ExportContext, progress=None) -> dict[str, int]:
    """Write the ledgers of `key` into `target` (a path or file object). Returns rows per sheet."""
    # Text is always text: no formula, URL or number is made of a string (write_row would).
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    counts: dict[str, int] = {}
    done_before = 0
    try:
        for ledger in ledgers_for(key):
            sheet_progress = None
            if progress is not None:
                base = done_before

                def sheet_progress(n, base=base):
                    progress(base + n)

            counts[ledger.sheet_name] = write_ledger(book, ledger, ctx, progress=sheet_progress)
            done_before += counts[ledger.sheet_name]
    finally:
        book.close()
    return counts


def check_full_identity(*, user, reason: str) -> None:
    """含完整身份信息 (for the bank): only a user who may reveal, only with a reason."""
    if not privacy.may_reveal(user):
        raise PermissionDenied(FULL_EXPORT_NOT_ALLOWED)
    if not (reason or "").strip():
        raise ValidationError({"reason": FULL_EXPORT_REASON_REQUIRED})


def start_export(
    *,
    user,
    key: str,
    region_code: str = "",
    year: int | None = None,
    full_identity: bool = False,
    reason: str = "",
    request=None,
) -> ExportOutcome:
    """Small exports are written now into a temp file; above EXCEL_EXPORT_ASYNC_ROWS a job is queued.
    An export 含完整身份信息 is checked first and written to the access log."""
    check_may_export(user=user, key=key)
    if full_identity:
        check_full_identity(user=user, reason=reason)
    ctx = export_context(user=user, region_code=region_code, year=year, full_identity=full_identity)
    rows = estimate_rows(key=key, ctx=ctx)
    filename = export_filename(key=key, ctx=ctx)
    if full_identity:
        filename = filename.replace(".xlsx", "_含完整身份信息.xlsx")
        privacy.record_access(
            user=user,
            request=request,
            channel="export",
            region_code=ctx.region.code if ctx.region is not None else "",
            record_kind="reports.ledger",
            record_id=None,
            subject=filename,
            kinds=[privacy.Kind.ID_NO, privacy.Kind.BANK_ACCOUNT],
            reason=reason.strip(),
            rows=rows,
        )
    if rows <= settings.EXCEL_EXPORT_ASYNC_ROWS:
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 - FileResponse closes it
        handle.close()
        write_workbook(handle.name, key=key, ctx=ctx)
        return ExportOutcome(path=handle.name, filename=filename, job=None, rows=rows)
    job = ExportJob.objects.create(
        ledger=key,
        params={
            "region_code": region_code,
            "year": year,
            "filename": filename,
            "full_identity": full_identity,
        },
        created_by=user,
        region_id=user.region_id,
        total_rows=rows,
    )
    from reports.tasks import run_export

    transaction.on_commit(lambda: run_export.delay(job.pk))
    return ExportOutcome(path=None, filename=filename, job=job, rows=rows)


def run_export_job(*, job_id: int) -> None:
    """The Celery task body. Safe to run twice: a finished job is left alone."""
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, done_rows=0)
    user = job.created_by
    try:
        ctx = export_context(
            user=user,
            region_code=job.params.get("region_code") or "",
            year=job.params.get("year"),
            full_identity=bool(job.params.get("full_identity")),
        )

        def progress(n: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=n)

        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            write_workbook(path, key=job.ledger, ctx=ctx, progress=progress)
            with open(path, "rb") as handle:
                job.file.save(job.params.get("filename") or f"export-{job.pk}.xlsx", File(handle), save=False)
        finally:
            os.unlink(path)
        job.status = ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.done_rows = job.total_rows
        job.save(update_fields=["file", "status", "finished_at", "done_rows"])
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise


def job_for_download(*, job_id: int, user) -> ExportJob:
    job = scoping.scoped(ExportJob.objects.all(), user).get(pk=job_id)
    if job.created_by_id != user.pk:
        raise PermissionDenied(JOB_NOT_YOURS)
    if job.status != ExportJob.Status.DONE:
        raise ValidationError(JOB_NOT_READY)
    return job
