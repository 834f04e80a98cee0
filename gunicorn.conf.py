"""gunicorn settings read from the working directory: the access log without query strings or
referrers, so an ID number typed into a search never reaches it (the path alone is logged)."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
