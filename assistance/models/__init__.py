from assistance.monitoring.models import MonitoringLead, MonitoringPhoto, MonitoringRecord, MonitoringVisit  # noqa: I001

from .bank import (
    BankBatch,
    BankLayout,
    BankLayoutColumn,
    BankLayoutProject,
    BankLine,
    BankReasonCode,
    BankReturn,
    PaymentFailure,
)
from .cases import CaseAmount, CaseHomeVisit, DibaoCase, DisabilitySubsidy, PhaseOut, StopProposal, TekunCase
from .holds import PaymentHold
from .ledger import Alert, ChangeLedgerEntry, HolidayCalendar
from .measures import AssistanceMeasure, MeasureGap, RecalculationChunk, RecalculationRun
from .medical import MedicalBill
from .payments import PaymentLine, PaymentRoll

__all__ = [
    "Alert",
    "AssistanceMeasure",
    "BankBatch",
    "BankLayout",
    "BankLayoutColumn",
    "BankLayoutProject",
    "BankLine",
    "BankReasonCode",
    "BankReturn",
    "CaseAmount",
    "CaseHomeVisit",
    "ChangeLedgerEntry",
    "DibaoCase",
    "DisabilitySubsidy",
    "HolidayCalendar",
    "MeasureGap",
    "MedicalBill",
    "MonitoringLead",
    "MonitoringPhoto",
    "MonitoringRecord",
    "MonitoringVisit",
    "PaymentFailure",
    "PaymentHold",
    "PaymentLine",
    "PaymentRoll",
    "PhaseOut",
    "RecalculationChunk",
    "RecalculationRun",
    "StopProposal",
    "TekunCase",
]
