"""The API fixtures (api, as_user) for the security tests, and the privacy matrix's figure."""

from tests.api.conftest import api, as_user  # noqa: F401


def pytest_terminal_summary(terminalreporter):
    import sys

    matrix = sys.modules.get("tests.security.test_privacy_matrix")
    if matrix is None or not matrix.FIGURES["requests"]:
        return
    figures = matrix.FIGURES
    roles = ", ".join(f"{role} {n}" for role, n in figures["by_role"].items())
    terminalreporter.write_line(
        f"privacy matrix: {len(figures['surfaces'])} surfaces, {figures['requests']} requests ({roles}), "
        f"full values found: {figures['full_values']} "
        f"(and {figures['logged_reveals']} answers of reasoned, logged reveals)"
    )
