from core.workflow.models import Publicity, PublicityObjection, WorkflowEvent  # noqa: I001 - the chain's models live in their package

from .access import AccessLog
from .audit import ApiToken, LoginFailure, LoginLockout, LoginLog
from .backups import BackupRun
from .regions import Region
from .users import User

__all__ = [
    "AccessLog",
    "ApiToken",
    "BackupRun",
    "LoginFailure",
    "LoginLockout",
    "LoginLog",
    "Publicity",
    "PublicityObjection",
    "Region",
    "User",
    "WorkflowEvent",
]
