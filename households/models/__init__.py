from households.workflow.models import ChangeItem, ChangeRequest, HouseholdReview  # noqa: I001 - workflow models live in their package

from .excel import ImportBatch, ResurveyFilter
from .household import Household, IncomeYear
from .member import Member
from .support import HelperAssignment, HelperPerson, Visit, VisitPhoto, WorkTeam, WorkTeamMember

__all__ = [
    "ChangeItem",
    "ChangeRequest",
    "HouseholdReview",
    "ImportBatch",
    "ResurveyFilter",
    "HelperAssignment",
    "HelperPerson",
    "Household",
    "IncomeYear",
    "Member",
    "Visit",
    "VisitPhoto",
    "WorkTeam",
    "WorkTeamMember",
]
