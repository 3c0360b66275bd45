"""Who may see and change the package's records: real Django permissions, assignable
to groups in the admin. One place for the admin screens, panels and dashboard."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser

REGISTRATION_CHANGE_PERMISSION = "wagtail_atelier.change_registration"
MAIL_CHANGE_PERMISSION = "wagtail_atelier.change_outgoingmail"
HOST_REQUEST_CHANGE_PERMISSION = "wagtail_atelier.change_hostrequest"
PERSONAL_DATA_PERMISSION = "wagtail_atelier.manage_personal_data"
#: The case question, accessibility needs and dietary note of a registration: what a
#: facilitator needs, kept from those who only need the address list.
CASE_DETAILS_PERMISSION = "wagtail_atelier.view_case_details"

#: The registration fields shown only with :data:`CASE_DETAILS_PERMISSION`.
CASE_DETAIL_FIELDS = ("case_description", "accessibility_needs", "dietary_note")


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
    """Names and contact details (also the table plan and harvest); the case texts
    need :func:`user_can_see_case_details` as well."""
    return user_can_see(user, "registration")


def user_can_see_case_details(user: User | None) -> bool:
    """Whether ``user`` may read the case question, accessibility needs and dietary
    note of the registrations they may see. The case permission alone opens no
    screen: it adds these texts to the registration screens."""
    if user is None:
        return False
    return user.has_perm(CASE_DETAILS_PERMISSION) and user_can_see_registrations(user)


def user_can_see_mails(user: User | None) -> bool:
    return user_can_see(user, "outgoingmail")


def user_can_see_host_requests(user: User | None) -> bool:
    return user_can_see(user, "hostrequest")


def user_can_manage_personal_data(user: User | None) -> bool:
    """Whether ``user`` may answer a person's access and erasure requests and purge a
    workshop's personal data (``manage_personal_data``; superusers have it)."""
    return user is not None and user.has_perm(PERSONAL_DATA_PERMISSION)
