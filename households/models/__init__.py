from households.workflow.models import (  # noqa: E402,I001 - workflow models live in their package
    ChangeItem,
    ChangeRequest,
    HouseholdReview,
    Publicity,
    PublicityObjection,
    WorkflowEvent,
)

from .backups import BackupRun
from .excel import ImportBatch, ResurveyFilter
from .access import AccessLog
from .household import Household, IncomeYear
from .member import Member
from .regions import Region
from .support import HelperAssignment, HelperPerson, Visit, VisitPhoto, WorkTeam, WorkTeamMember
from .users import User

__all__ = [
    "BackupRun",
    "AccessLog",
    "ChangeItem",
    "ChangeRequest",
    "HouseholdReview",
    "Publicity",
    "PublicityObjection",
    "WorkflowEvent",
    "ImportBatch",
    "ResurveyFilter",
    "HelperAssignment",
    "HelperPerson",
    "Household",
    "IncomeYear",
    "Member",
    "Region",
    "User",
    "Visit",
    "VisitPhoto",
    "WorkTeam",
    "WorkTeamMember",
]
