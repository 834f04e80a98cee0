"""The ground floor's admin: users, regions, the personal-data access log, the login log and API
tokens, and the mixins every floor's admin is built from (scoping, masking, the chain's list actions
and record pages)."""

from core.admin import audit, privacy, users  # noqa: F401 - registered on import
