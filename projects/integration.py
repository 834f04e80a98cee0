"""Where the 扶贫项目库 meets the lower floors: its record kind in the review chain, its state names,
its record-page buttons, and how its models reach a region code (scoped())."""

from __future__ import annotations

from core.workflow.actions import RecordAction, chain_actions, with_reason

KIND = "project"
SERVICES = "projects.services.projects."


def _expected(record) -> str:
    return record.review_state


def _actions() -> list[RecordAction]:
    from projects.forms import DateForm, NoticeForm
    from projects.services import projects as s

    return [
        RecordAction(
            "submit",
            "提交审核",
            lambda r, u, d: s.submit_project(project=r, user=u, expected_state=_expected(r)),
            done="已提交",
        ),
        # 撤回 and 审核通过 as every chained record has them; 退回 below knows a township's own project.
        *(a for a in chain_actions(submit=False, city=False) if a.slug in ("withdraw", "approve")),
        with_reason(
            "return",
            "退回",
            lambda r, u, d: s.return_project(
                project=r, user=u, reason=d["reason"], expected_state=_expected(r)
            ),
            done="已退回",
        ),
        RecordAction(
            "announce",
            "发布实施前公告",
            lambda r, u, d: s.announce(project=r, user=u, **d),
            done="已发布公告",
            form=NoticeForm,
            probe=NoticeForm.probe,
        ),
        RecordAction(
            "start_work",
            "开工实施",
            lambda r, u, d: s.start_work(project=r, user=u, on=d["on"]),
            done="已开工",
            form=DateForm,
            probe=DateForm.probe,
        ),
        RecordAction(
            "accept",
            "项目验收",
            lambda r, u, d: s.accept(project=r, user=u, on=d["on"]),
            done="已验收",
            form=DateForm,
            probe=DateForm.probe,
        ),
        RecordAction(
            "publish_results",
            "发布结果公示",
            lambda r, u, d: s.publish_results(project=r, user=u, **d),
            done="已发布结果公示",
            form=NoticeForm,
            probe=NoticeForm.probe,
        ),
    ]


def register() -> None:
    from core.scoping import register_scope
    from core.workflow import config
    from core.workflow.actions import register_actions
    from core.workflow.choices import register_state_choices
    from projects import models as m
    from projects.choices import Stage

    register_state_choices(Stage)
    config.register_record_kind(
        config.RecordKind(
            slug=KIND,
            model="projects.Project",
            label="扶贫项目",
            village_code_attr="region_id",
            on_verified=SERVICES + "on_approved",
            extra={"validate_submit": SERVICES + "validate_submit"},
        )
    )
    register_actions("projects.Project", _actions())
    from households.panels import register_household_panel
    from projects.panel import projects_panel

    register_household_panel("projects_panel", "扶贫项目与资产收益分红", projects_panel)
    for model, path in [
        (m.Project, "region__code"),
        (m.ProjectBudget, "project__region__code"),
        (m.ProjectNotice, "project__region__code"),
        (m.FundPayment, "project__region__code"),
        (m.Asset, "project__region__code"),
        (m.AssetIncome, "asset__project__region__code"),
        # A household's links and shares are the household's data: its village's scope.
        (m.ProjectBeneficiary, "household__village__code"),
        (m.IncomeShare, "household__village__code"),
    ]:
        register_scope(model, path)
