from .excel import ExportJob, ImportBatch
from .household import Household, IncomeYear
from .member import Member
from .regions import Region
from .support import HelperAssignment, HelperPerson, Visit, WorkTeam, WorkTeamMember
from .users import User

__all__ = [
    "ExportJob",
    "ImportBatch",
    "HelperAssignment",
    "HelperPerson",
    "Household",
    "IncomeYear",
    "Member",
    "Region",
    "User",
    "Visit",
    "WorkTeam",
    "WorkTeamMember",
]
