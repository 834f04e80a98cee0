"""Developer machine / `make run`: debug on, loopback hosts, a throwaway secret."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-change-me")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from .base import *  # noqa: E402

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The demo county and the synthetic benchmark county (`load_demo`, `generate_households`): dev only.
INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]
