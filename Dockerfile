# One image for web (gunicorn), worker, beat and backup. Dependencies come from pyproject.toml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# pg_dump/pg_restore must be of the database server's major version (docker-compose.yml passes the
# same PG_MAJOR to both): from the PostgreSQL project's apt repository, since Debian ships only one
# major. gpg encrypts backups when BACKUP_ENCRYPTION_KEY is set (households/backup.py).
ARG PG_MAJOR=16
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl gnupg; \
    install -d /usr/share/postgresql-common/pgdg; \
    curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc; \
    . /etc/os-release; \
    echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}"; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*; \
    "/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump" --version

WORKDIR /app
RUN useradd --create-home --uid 1000 fupin

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# collectstatic needs settings, not a database: a placeholder URL keeps the embedded cluster out of it.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build@127.0.0.1/build \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /backups && chown -R fupin /app/media /backups

USER fupin
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
