"""The registry's records in the review chain: a household, a change request, and the 公示 of a
household (identification, exit). Registered from HouseholdsConfig.ready()."""

from __future__ import annotations

from core.workflow.actions import chain_actions, register_actions
from core.workflow.config import (
    PublicitySubjectConfig,
    RecordKind,
    register_publicity_subject,
    register_record_kind,
)

# Called inside the approval's transaction once a change request's items are written to the live
# rows: dotted paths of functions (change_request, user) -> None. An upper floor registers one in its
# AppConfig.ready() (assistance: a failed payment whose account the change corrected is re-issued).
_CHANGE_APPLIED: list[str] = []


def register_change_applied(path: str) -> None:
    if path not in _CHANGE_APPLIED:
        _CHANGE_APPLIED.append(path)


def change_applied_hooks() -> tuple[str, ...]:
    return tuple(_CHANGE_APPLIED)


def register() -> None:
    register_record_kind(
        RecordKind(
            slug="household",
            model="households.Household",
            label="建档立卡户",
            household_attr="pk",
            extra={"validate_submit": "households.workflow.services.validate_household_submit"},
        )
    )
    register_record_kind(
        RecordKind(
            slug="household_change",
            model="households.ChangeRequest",
            label="变更申请",
            state_field="state",
            village_code_attr="household.village_id",
            household_attr="household_id",
            withdrawn_state="withdrawn",
            on_verified="households.workflow.services.apply_change_request",
        )
    )

    register_publicity_subject(
        PublicitySubjectConfig(
            kind="exit",
            model="households.Household",
            on_start="households.workflow.services.exit_publicity_started",
            on_objection="households.workflow.services.exit_publicity_objected",
            on_passed="households.workflow.services.exit_publicity_passed",
        )
    )
    # 贫困户识别 (R6) 公示: logged only; the identification record itself passes the review chain.
    register_publicity_subject(PublicitySubjectConfig(kind="identify", model="households.Household"))
    # The record pages' buttons (core.workflow.actions).
    register_actions("households.Household", chain_actions(submit=True, city=True))
    register_actions("households.ChangeRequest", chain_actions(submit=False, city=False))
