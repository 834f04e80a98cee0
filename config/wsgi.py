import os

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

from config.web_db import on_connection_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

connection_created.connect(on_connection_created, dispatch_uid="fupin.web.no_jit")

application = get_wsgi_application()
