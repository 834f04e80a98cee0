from .household import Household, IncomeYear
from .member import Member
from .regions import Region
from .support import HelperAssignment, HelperPerson, Visit, WorkTeam, WorkTeamMember
from .users import User

__all__ = [
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
