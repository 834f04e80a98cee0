import os

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")


def _no_jit(sender, connection, **kwargs) -> None:
    """Web requests run short queries: PostgreSQL's JIT compiler, which starts above a cost estimate,
    spent 0.56 s compiling a 工作台 query that ran in 0.08 s (a township's overdue visits, issue 28).
    Off for the web server's connections only; batch jobs keep the server's setting (or set their own)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")


connection_created.connect(_no_jit, dispatch_uid="fupin.web.no_jit")

application = get_wsgi_application()
