"""A password change or a deactivation revokes the user's API tokens; a sign-in starts its
session's clocks (core.sessions)."""

from __future__ import annotations

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from core.models import User


@receiver(pre_save, sender=User, dispatch_uid="households.revoke_tokens_on_credentials_change")
def revoke_tokens_on_credentials_change(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password or (old["is_active"] and not instance.is_active):
        from core.api.auth import revoke_tokens

        revoke_tokens(instance)


@receiver(user_logged_in, dispatch_uid="core.start_session_clocks")
def start_session_clocks(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:  # a token request signs in without a session
        from core.sessions import start_clocks

        start_clocks(session, int(time.time()))
