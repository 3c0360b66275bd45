"""Who may see and change the package's records: real Django permissions, assignable
to groups in the admin. One place for the admin screens, panels and dashboard."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser

REGISTRATION_CHANGE_PERMISSION = "wagtail_atelier.change_registration"
MAIL_CHANGE_PERMISSION = "wagtail_atelier.change_outgoingmail"
HOST_REQUEST_CHANGE_PERMISSION = "wagtail_atelier.change_hostrequest"


def user_can_see(user: User | None, model_name: str) -> bool:
    """Whether ``user`` may see the records of ``model_name`` ("registration",
    "outgoingmail", "hostrequest"): they hold personal data, so seeing them needs the
    model's own view or change permission, not just any permission on it."""
    if user is None:
        return False
    return user.has_perm(f"wagtail_atelier.view_{model_name}") or user.has_perm(
        f"wagtail_atelier.change_{model_name}"
    )


def user_can_see_registrations(user: User | None) -> bool:
    """Names, contact details and case questions (also the table plan and harvest)."""
    return user_can_see(user, "registration")


def user_can_see_mails(user: User | None) -> bool:
    return user_can_see(user, "outgoingmail")


def user_can_see_host_requests(user: User | None) -> bool:
    return user_can_see(user, "hostrequest")
