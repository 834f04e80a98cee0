"""The 公告 (before implementation) and 结果公示 (after 验收) of a project, as printed on A4 and shown on
the county's public page: budget and payments by source, household counts — never a name (R31)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from core.models import Region
from households.choices import MemberStatus
from projects.choices import NoticeKind
from projects.models import Project, ProjectBeneficiary, ProjectNotice
from projects.selectors import ProjectFunds, fund_figures

INTRO = {
    NoticeKind.ANNOUNCEMENT: "根据扶贫项目公告公示制度，现将下列项目实施前的有关情况予以公告，接受群众监督。",
    NoticeKind.RESULTS: "下列项目已完成验收，现将项目实施结果和资金使用情况予以公示，接受群众监督。",
}


@dataclass(frozen=True)
class NoticeSheet:
    title: str
    kind: str
    project: Project
    place_name: str
    funds: ProjectFunds
    households: int
    persons: int
    notice: ProjectNotice | None

    @property
    def intro(self) -> str:
        return INTRO[self.kind]

    @property
    def results(self) -> bool:
        return self.kind == NoticeKind.RESULTS


def notice_sheet(*, project: Project, kind: str) -> NoticeSheet:
    """The sheet of one project's 公告 or 公示 (the notice itself may not be published yet: a draft)."""
    region = Region.objects.get(pk=project.region_id)
    counts = ProjectBeneficiary.objects.filter(project=project).aggregate(
        households=Count("household_id", distinct=True),
        persons=Count(
            "household__members",
            filter=Q(household__members__member_status=MemberStatus.NORMAL),
        ),
    )
    notice = project.notices.filter(kind=kind).first()
    label = "实施前公告" if kind == NoticeKind.ANNOUNCEMENT else "验收结果公示"
    return NoticeSheet(
        title=f"{region.name}{project.year}年度扶贫项目{label}",
        kind=kind,
        project=project,
        place_name=region.full_name() or region.name,
        funds=fund_figures([project.pk])[project.pk],
        households=counts["households"],
        persons=counts["persons"],
        notice=notice,
    )
