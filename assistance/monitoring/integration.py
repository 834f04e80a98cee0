"""Where 防返贫监测 meets the lower floors: its record kind in the review chain, its 公示 subject,
its state names, and how its models reach a region code (scoped())."""

from __future__ import annotations


def register() -> None:
    from assistance.monitoring import models as m
    from assistance.monitoring.choices import Decision, LeadStatus
    from core.scoping import register_scope
    from core.workflow import config
    from core.workflow.choices import register_state_choices

    register_state_choices(Decision, LeadStatus)
    config.register_record_kind(
        config.RecordKind(
            slug="monitoring_record",
            model="assistance.MonitoringRecord",
            label="防返贫监测",
            village_code_attr="household.village_id",
            household_attr="household_id",
            entered_by_attr="applied_by_id",
            on_verified="assistance.monitoring.services.records.on_decided",
        )
    )
    # 公示 of a monitoring record: logged only; the township's approval checks that it passed.
    config.register_publicity_subject(
        config.PublicitySubjectConfig(kind="monitoring", model="assistance.MonitoringRecord")
    )
    for model, path in [
        (m.MonitoringLead, "village__code"),
        (m.MonitoringRecord, "household__village__code"),
        (m.MonitoringVisit, "household__village__code"),
        (m.MonitoringPhoto, "visit__household__village__code"),
    ]:
        register_scope(model, path)
