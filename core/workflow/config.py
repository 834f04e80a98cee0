"""Which review levels each kind of record passes: configuration, not code.

`CHAINS` maps a record kind to the ordered review levels after the village enters it. A project
can override or extend it with `settings.WORKFLOW_CHAINS` (e.g. a county that delegates 低保
confirmation to townships sets ``{"dibao_case": ["township"]}``, P24). Other apps register their
models with `register_record_kind()` and then call the same services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings

from core.choices import ReviewState, Role
from core.workflow.errors import PUBLICITY_SUBJECT_UNKNOWN, UNKNOWN_KIND, TransitionError


@dataclass(frozen=True)
class Level:
    slug: str
    label: str
    role: str
    pending: str  # the state a record waits in for this level
    returned_here: str  # the state a record is in when the level above sends it back here


# The village enters; it is not a review level but it is where the first return lands.
VILLAGE = Level("village", "村", Role.VILLAGE_CLERK, ReviewState.DRAFT, ReviewState.RETURNED_TO_VILLAGE)
# The city does not review in the chain; it spot-checks stored records (市抽查异议).
CITY = Level("city", "市抽查", Role.CITY_SUPERVISOR, "", "")
LEVELS: dict[str, Level] = {
    "township": Level(
        "township",
        "镇审核",
        Role.TOWNSHIP_REVIEWER,
        ReviewState.PENDING_TOWNSHIP,
        ReviewState.RETURNED_TO_TOWNSHIP,
    ),
    "county": Level("county", "县核查", Role.COUNTY_ADMIN, ReviewState.PENDING_COUNTY, ""),
}

DEFAULT_CHAINS: dict[str, tuple[str, ...]] = {
    "household": ("township", "county"),  # 建档立卡采集审核, seed 003
    "household_change": ("township", "county"),  # changes to stored data pass the same chain
    "dibao_case": ("township", "county"),  # 镇审核 → 县审核确认 (P9); P24 delegation: ("township",)
    "tekun_case": ("township", "county"),  # 特困供养: 申请 → 镇审核 → 县审核确认
    "disability_subsidy": ("township", "county"),  # 两项补贴 applied for outside 低保 (P14)
    "medical_bill": ("township", "county"),  # 医疗救助: 村录入 → 镇审核 → 县审核确认
    "monitoring_record": ("township", "county"),  # 防返贫监测: 入户核实、民主评议 → 镇审核 → 县级审定
    "project": ("township", "county"),  # 扶贫项目库: 村申报 → 乡镇审核 → 县审批 (domain.md#workflow-projects)
}


def chain_for(kind: str) -> tuple[Level, ...]:
    chains = {**DEFAULT_CHAINS, **getattr(settings, "WORKFLOW_CHAINS", {})}
    if kind not in chains:
        raise TransitionError(UNKNOWN_KIND.format(kind=kind))
    return tuple(LEVELS[slug] for slug in chains[kind])


@dataclass(frozen=True)
class RecordKind:
    """How the services reach a model's state, region and author without knowing the model."""

    slug: str
    model: str  # "app_label.ModelName"
    label: str
    state_field: str = "review_state"
    village_code_attr: str = "village_id"  # dotted attribute path to the 12-digit village code
    household_attr: str | None = None  # dotted path to the household, for the household page
    entered_by_attr: str = "created_by_id"
    # State a withdrawn record goes to: back to a draft, or closed for good (change requests).
    withdrawn_state: str = ReviewState.DRAFT
    # Called inside the transaction when the last level approves: (record, user) -> None.
    on_verified: str | None = None
    extra: dict = field(default_factory=dict)

    def model_class(self):
        return apps.get_model(self.model)

    def state_of(self, record) -> str:
        return getattr(record, self.state_field)

    def village_code_of(self, record) -> str:
        return _resolve(record, self.village_code_attr) or ""

    def household_id_of(self, record) -> int | None:
        if self.household_attr is None:
            return None
        return _resolve(record, self.household_attr)


_KINDS: dict[str, RecordKind] = {}


def register_record_kind(kind: RecordKind) -> None:
    _KINDS[kind.slug] = kind


def record_kind(slug: str) -> RecordKind:
    try:
        return _KINDS[slug]
    except KeyError:
        raise TransitionError(UNKNOWN_KIND.format(kind=slug)) from None


def kind_label(slug: str) -> str:
    """The Chinese name of a record kind (低保案件 …), "其他记录" when no app registered it."""
    kind = _KINDS.get(slug)
    return kind.label if kind is not None else "其他记录"


def kind_of(record) -> RecordKind:
    label = record._meta.label
    for kind in _KINDS.values():
        if kind.model == label:
            return kind
    raise TransitionError(UNKNOWN_KIND.format(kind=label))


def _resolve(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


@dataclass(frozen=True)
class PublicitySubjectConfig:
    """What a 公示 does to its subject: dotted paths of hooks called inside the transaction.

    on_start(record, user); on_objection(record, user, reason); on_passed(record, user, as_of).
    A hook left None only logs the step (the subject's own service then checks
    services.ensure_publicity_passed() before confirming, as 低保 does)."""

    kind: str
    model: str
    on_start: str | None = None
    on_objection: str | None = None
    on_passed: str | None = None


_PUBLICITY_SUBJECTS: dict[str, PublicitySubjectConfig] = {}


def register_publicity_subject(config: PublicitySubjectConfig) -> None:
    _PUBLICITY_SUBJECTS[config.kind] = config


def publicity_subject(*, kind: str | None, record) -> PublicitySubjectConfig:
    label = record._meta.label
    if kind is None:
        # The first registered kind of a model is its default (a household's 公示 is its exit).
        matches = [c for c in _PUBLICITY_SUBJECTS.values() if c.model == label]
        if not matches:
            raise TransitionError(PUBLICITY_SUBJECT_UNKNOWN.format(kind=label))
        return matches[0]
    config = _PUBLICITY_SUBJECTS.get(kind)
    if config is None or config.model != label:
        raise TransitionError(PUBLICITY_SUBJECT_UNKNOWN.format(kind=kind))
    return config
