"""阳光扶贫: a county's public page of its 项目库 (no login), and each project's 公告 or 结果公示 as
printed (R31, seed S001 公示公告). Only what a notice board shows: projects whose 公告 was published,
their budget and payments by source, household counts — no name, no household number."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from core.choices import RegionLevel
from core.models import Region
from projects import printing
from projects.choices import NoticeKind, Stage
from projects.models import Project
from projects.selectors import beneficiary_counts, fund_figures

# Published: the 公告 is out (stages from 已公告 on).
PUBLIC_STAGES = (Stage.ANNOUNCED, Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.PUBLICIZED)


def _county(county_code: str) -> Region:
    county = Region.objects.filter(pk=county_code, level=RegionLevel.COUNTY).first()
    if county is None:
        raise Http404
    return county


def _published(county: Region):
    return Project.objects.filter(region__code__startswith=county.prefix, stage__in=PUBLIC_STAGES)


def county_page(request, county_code: str):
    county = _county(county_code)
    projects = list(_published(county).order_by("-year", "region_id", "id"))
    ids = [p.pk for p in projects]
    funds, counts = fund_figures(ids), beneficiary_counts(ids)
    names = dict(Region.objects.filter(pk__in={p.region_id for p in projects}).values_list("code", "name"))
    rows = [
        {
            "project": p,
            "place": names.get(p.region_id, ""),
            "funds": funds[p.pk],
            "households": counts.get(p.pk, 0),
            "results": p.stage == Stage.PUBLICIZED,
        }
        for p in projects
    ]
    return render(
        request,
        "projects/public_county.html",
        {"county": county, "full_name": county.full_name(), "rows": rows},
    )


def notice_page(request, county_code: str, project_id: int, kind: str):
    county = _county(county_code)
    if kind not in NoticeKind.values:
        raise Http404
    project = _published(county).filter(pk=project_id).first()
    if project is None or not project.notices.filter(kind=kind).exists():
        raise Http404
    sheet = printing.notice_sheet(project=project, kind=kind)
    return render(request, "projects/public_notice.html", {"county": county, "sheet": sheet})
