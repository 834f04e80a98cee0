"""The API fixtures (api, as_user) for the security tests."""

from tests.api.conftest import api, as_user  # noqa: F401
