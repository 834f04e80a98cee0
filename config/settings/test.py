"""pytest settings: fast hashing, plain static files, in-process Celery unless a test starts a worker."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .base import *  # noqa: E402

# The demo county and the synthetic generator are exercised by the suite (dev-only app).
INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
AXES_ENABLED = False
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"user": "100000/min"}
LOGGING["root"]["level"] = "WARNING"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Unit tests run tasks in-process even when CI exports REDIS_URL; the worker tests (marked
# `worker`) switch this off on the Celery app and prove the tasks on a real worker and broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# The self-report page's rate limit counts in this process (a shared Redis would carry counts between
# runs); the CAPTCHA accepts "PASSED" so tests and browser tests can submit.
CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
CAPTCHA_TEST_MODE = True
