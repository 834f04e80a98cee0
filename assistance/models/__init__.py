from .cases import CaseHomeVisit, DibaoCase, DisabilitySubsidy, PhaseOut, TekunCase
from .ledger import Alert, ChangeLedgerEntry, HolidayCalendar
from .measures import AssistanceMeasure, MeasureGap, RecalculationChunk, RecalculationRun
from .payments import PaymentLine, PaymentRoll

__all__ = [
    "Alert",
    "AssistanceMeasure",
    "CaseHomeVisit",
    "ChangeLedgerEntry",
    "DibaoCase",
    "DisabilitySubsidy",
    "HolidayCalendar",
    "MeasureGap",
    "PaymentLine",
    "PaymentRoll",
    "PhaseOut",
    "RecalculationChunk",
    "RecalculationRun",
    "TekunCase",
]
