"""Production: everything from the environment; secure cookies behind a TLS proxy."""

from .base import *  # noqa: F403

SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# One reverse proxy (nginx) in front by default; core.remote reads the client from X-Forwarded-For.
PROXY_COUNT = env.int("PROXY_COUNT", default=1)

# HTTPS only: redirect plain HTTP and tell browsers to keep to HTTPS (HSTS). Behind a TLS proxy the
# X-Forwarded-Proto header above marks a request secure; SECURE_SSL_REDIRECT=false leaves the
# redirect to the proxy, HSTS_SECONDS=0 switches HSTS off while a new certificate is tried.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# security.W019 asks for X_FRAME_OPTIONS = "DENY": simpleui opens every admin page in a same-origin
# iframe tab, so SAMEORIGIN (and CSP frame-ancestors 'self') is the strictest setting that works.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W019"]
