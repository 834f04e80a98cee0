"""Signed-in sessions end after a quiet spell and after a fixed lifetime (等保: 登录超时退出).

SESSION_IDLE_TIMEOUT_MINUTES (default 30) without a request, or SESSION_ABSOLUTE_HOURS (default 12)
after the sign-in whatever the activity, and the next request finds the user signed out: an admin
page goes to the login page with the reason, an API call (session-authenticated) gets the API's
401/403, a phone page its own login page.
Token requests carry no session and are bounded by the token's own expiry (core.api.auth).

The clocks start at the sign-in (start_clocks, on user_logged_in: the session is saved with the
login, so the next request writes nothing); a session that has none yet, or whose key changed since,
starts them on its next request. The last-activity time is written at most once a minute."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

STARTED, ACTIVE, KEY = "_fupin_signed_in_at", "_fupin_active_at", "_fupin_session_key"
TOUCH_SECONDS = 60
IDLE_ENDED = "超过 {minutes} 分钟未操作，已自动退出，请重新登录"
LIFETIME_ENDED = "登录已超过 {hours} 小时，已自动退出，请重新登录"


def start_clocks(session, now: int) -> None:
    session[KEY], session[STARTED], session[ACTIVE] = session.session_key, now, now


def ended(session, now: int) -> str | None:
    """Why the session is over, or None (and its clocks kept up to date)."""
    if session.get(KEY) != session.session_key:
        start_clocks(session, now)
        return None
    if now - session.get(STARTED, now) > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return LIFETIME_ENDED.format(hours=settings.SESSION_ABSOLUTE_HOURS)
    if now - session.get(ACTIVE, now) > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return IDLE_ENDED.format(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
    if now - session.get(ACTIVE, now) >= TOUCH_SECONDS:
        session[ACTIVE] = now
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = ended(request.session, int(time.time()))
            if reason is not None:
                logout(request)
                messages.warning(request, reason)
                if request.path.startswith("/admin/"):
                    # the path only: a query string (a search term) stays out of the login URL
                    return redirect_to_login(request.path)
                # elsewhere the request goes on signed out and the page's own rule answers: the
                # API's JSON 401/403, the phone pages' own login page, public pages as they are
        return self.get_response(request)
