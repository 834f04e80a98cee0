# One image for web (gunicorn), worker and beat. Dependencies come from pyproject.toml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 fupin

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# collectstatic needs settings, not a database: a placeholder URL keeps the embedded cluster out of it.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build@127.0.0.1/build \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R fupin /app/media

USER fupin
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
