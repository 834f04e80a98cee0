"""County Excel 台账 (domain.md (d)): one module per ledger family, one sheet per ledger."""

from households.excel.ledgers.base import ExportContext, Ledger, write_ledger
from households.excel.ledgers.households import IncomeLedger, RosterLedger
from households.excel.ledgers.housing import HousingLedger
from households.excel.ledgers.payments import (
    DibaoChangeLedger,
    DibaoRollLedger,
    DisabilitySubsidyLedger,
    PhaseOutLedger,
    TekunLedger,
)
from households.excel.ledgers.population import PopulationLedger
from households.excel.ledgers.programs import EducationLedger, HealthLedger, MonitoringLedger
from households.excel.ledgers.summary import HelpForceLedger, VillageSummaryLedger

# The 14 sheets of the county workbook, in the order of domain.md (d).
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
LEDGERS: dict[str, Ledger] = {ledger.key: ledger for ledger in COUNTY_WORKBOOK}
COUNTY_WORKBOOK_KEY = "county_workbook"

__all__ = ["COUNTY_WORKBOOK", "COUNTY_WORKBOOK_KEY", "LEDGERS", "ExportContext", "Ledger", "write_ledger"]
