"""County Excel 台账 (domain.md#ledgers): one module per ledger family, one sheet per ledger."""

from reports.ledgers.base import ExportContext, Ledger, write_ledger
from reports.ledgers.crosscheck import CrossCheckLedger
from reports.ledgers.households import IncomeLedger, RosterLedger
from reports.ledgers.housing import HousingLedger
from reports.ledgers.monitoring import LeadLedger, MonitoringLedger
from reports.ledgers.payments import (
    DibaoChangeLedger,
    DibaoRollLedger,
    DisabilitySubsidyLedger,
    PhaseOutLedger,
    TekunLedger,
)
from reports.ledgers.pending import PendingReviewLedger
from reports.ledgers.population import PopulationLedger
from reports.ledgers.programs import EducationLedger, HealthLedger
from reports.ledgers.projects import AssetLedger, FundLedger, IncomeDistributionLedger, ProjectLedger
from reports.ledgers.reconciliation import ReconciliationLedger
from reports.ledgers.summary import HelpForceLedger, VillageSummaryLedger

# The 14 sheets of the county workbook, in the order of domain.md#ledgers.
COUNTY_WORKBOOK: tuple[Ledger, ...] = (
    RosterLedger(),
    PopulationLedger(),
    IncomeLedger(),
    DibaoRollLedger(),
    DibaoChangeLedger(),
    PhaseOutLedger(),
    TekunLedger(),
    DisabilitySubsidyLedger(),
    EducationLedger(),
    HealthLedger(),
    HousingLedger(),
    MonitoringLedger(),
    VillageSummaryLedger(),
    HelpForceLedger(),
)
# Work in progress (草稿, in review, open change requests): its own sheet, never in the workbook above.
PENDING_REVIEW = PendingReviewLedger()
# 信息比对疑点: findings and their answers, not register data; also on its own.
CROSSCHECK = CrossCheckLedger()
# 发放对账表: each confirmed roll against the bank's 回盘 (assistance's 代发 batches).
RECONCILIATION = ReconciliationLedger()
# 防返贫监测线索: work on leads, not register data; on its own too.
MONITORING_LEADS = LeadLedger()
# 扶贫项目库 (issue 29): projects, funds, assets and their income — approved projects only.
PROJECT_SHEETS: tuple[Ledger, ...] = (
    ProjectLedger(),
    FundLedger(),
    AssetLedger(),
    IncomeDistributionLedger(),
)
OWN_SHEETS: tuple[Ledger, ...] = (
    PENDING_REVIEW,
    CROSSCHECK,
    RECONCILIATION,
    MONITORING_LEADS,
    *PROJECT_SHEETS,
)
LEDGERS: dict[str, Ledger] = {ledger.key: ledger for ledger in (*COUNTY_WORKBOOK, *OWN_SHEETS)}
COUNTY_WORKBOOK_KEY = "county_workbook"

__all__ = [
    "COUNTY_WORKBOOK",
    "COUNTY_WORKBOOK_KEY",
    "CROSSCHECK",
    "LEDGERS",
    "OWN_SHEETS",
    "PENDING_REVIEW",
    "PROJECT_SHEETS",
    "RECONCILIATION",
    "ExportContext",
    "Ledger",
    "write_ledger",
]
