"""Logins, logouts and failed logins go into the trail (the attempted user name is not stored)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .context import SYSTEM, actor_for
from .services import Action, audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(None, Action.LOGIN, actor=actor_for(user), detail="auth.user")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(None, Action.LOGOUT, actor=actor_for(user))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # A mistyped user name is often a password: keep only the fact of the failure.
    audit_record(None, Action.LOGIN_FAILED, actor=SYSTEM)
