"""Session settings of the web server's database connections (config.wsgi). The page benchmarks
(bench/pages.py, bench/search.py) apply them too, so their figures are what the server runs."""

from __future__ import annotations


def apply_web_session(connection) -> None:
    """Web requests run short queries: PostgreSQL's JIT compiler, which starts above a cost estimate,
    spent 0.56 s compiling a 工作台 query that ran in 0.08 s (a township's overdue visits, issue 28).
    Off for the web server's connections only; batch jobs keep the server's setting (or set their own)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")


def on_connection_created(sender, connection, **kwargs) -> None:
    apply_web_session(connection)
