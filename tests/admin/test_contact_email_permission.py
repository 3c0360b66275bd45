"""Who may choose where registrations and host requests are announced.

The workshop's contact email receives the "new registration" notification and is
the Reply-To of every mail to its registrants; the coordinators' addresses in the
site settings receive every host request. A page moderator or a settings editor
without the registration (host request) permissions must not be able to redirect
them to an address of their choice.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield
from wagtail.users.models import UserProfile

from tests.factories import registration_form_data, route
from wagtail_atelier.models import AtelierSettings, MailKind, OutgoingMail

pytestmark = pytest.mark.django_db

CONTACT = "anna@example.org"
SPY = "spy@example.org"


# -- users -----------------------------------------------------------------------------


def page_moderator(django_user_model, username: str, *permissions: str):
    """An admin user who may edit and publish every page of the tree, and nothing
    about registrations, plus ``permissions`` ("app_label.codename")."""
    group, _created = Group.objects.get_or_create(name="Workshop moderators")
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    root = Site.objects.get(is_default_site=True).root_page
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    user = django_user_model.objects.create_user(username=username, password="x")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    user.groups.add(group)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def moderator(django_user_model):
    return page_moderator(django_user_model, "moderator")


@pytest.fixture
def registration_moderator(django_user_model):
    return page_moderator(
        django_user_model, "registrations", "wagtail_atelier.change_registration"
    )


# -- the page form ---------------------------------------------------------------------


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def publish_data(workshop, **changes) -> dict:
    """The workshop's edit form as the editor posts it, with ``changes``,
    published."""
    local = timezone.localtime
    data = {
        "title": workshop.title,
        "slug": workshop.slug,
        "start_at": local(workshop.start_at).strftime("%Y-%m-%d %H:%M"),
        "end_at": local(workshop.end_at).strftime("%Y-%m-%d %H:%M"),
        "format": workshop.format,
        "venue_name": workshop.venue_name,
        "street": workshop.street,
        "postcode": workshop.postcode,
        "town": workshop.town,
        "canton": workshop.canton,
        "workshop_language": workshop.workshop_language,
        "is_free": "on",
        "contact_name": workshop.contact_name,
        "contact_email": workshop.contact_email,
        "case_presenter_capacity": str(workshop.case_presenter_capacity),
        "participant_capacity": str(workshop.participant_capacity),
        "intro": workshop.intro,
        "body": streamfield([]),
        "comments": inline_formset([]),
        "action-publish": "action-publish",
        **changes,
    }
    return nested_form_data(data)


def publish(client, user, workshop, **changes):
    client.force_login(user)
    response = client.post(edit_url(workshop), publish_data(workshop, **changes))
    assert response.status_code == 302, response.context["form"].errors
    workshop.refresh_from_db()
    return response


def test_a_moderator_without_registration_permission_does_not_see_the_contact_email(
    client, moderator, workshop
):
    client.force_login(moderator)
    response = client.get(edit_url(workshop))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="contact_name"' in html  # the rest of the page is theirs
    assert 'name="contact_email"' not in html
    assert CONTACT not in html


def test_a_moderator_cannot_redirect_the_registrations_to_their_own_address(
    client, moderator, workshop, submit, notify_each_registration
):
    publish(
        client,
        moderator,
        workshop,
        title="Praxiswerkstatt Suhr 2027",
        contact_email=SPY,
    )

    assert workshop.title == "Praxiswerkstatt Suhr 2027"  # published
    assert workshop.live and not workshop.has_unpublished_changes
    assert workshop.contact_email == CONTACT
    assert workshop.latest_revision.content["contact_email"] == CONTACT

    # And so the next registration is announced to the contact, not to the spy,
    # and the registrant's replies go to the contact.
    client.logout()
    mail.outbox.clear()
    submit(route(workshop, "register"), registration_form_data())
    assert all(SPY not in [*m.to, *m.reply_to] for m in mail.outbox)
    notice = OutgoingMail.objects.get(kind=MailKind.CONTACT_NOTIFICATION)
    assert notice.to == [CONTACT]
    confirmation = OutgoingMail.objects.get(kind=MailKind.CONFIRMATION)
    assert confirmation.reply_to == [CONTACT]


def test_a_user_who_may_change_registrations_sets_the_contact_email(
    client, registration_moderator, workshop, submit, notify_each_registration
):
    client.force_login(registration_moderator)
    assert 'name="contact_email"' in client.get(edit_url(workshop)).content.decode()

    publish(client, registration_moderator, workshop, contact_email="new@example.org")

    assert workshop.contact_email == "new@example.org"
    client.logout()
    submit(route(workshop, "register"), registration_form_data())
    assert OutgoingMail.objects.get(kind=MailKind.CONTACT_NOTIFICATION).to == [
        "new@example.org"
    ]
    # The registrants' Reply-To follows it.
    assert OutgoingMail.objects.get(kind=MailKind.CONFIRMATION).reply_to == [
        "new@example.org"
    ]


# -- the site settings -----------------------------------------------------------------


def settings_url(site) -> str:
    return reverse(
        "wagtailsettings:edit", args=["wagtail_atelier", "ateliersettings", site.pk]
    )


@pytest.mark.parametrize(
    ("permissions", "may_change"),
    [
        (("wagtail_atelier.change_ateliersettings",), False),
        (
            (
                "wagtail_atelier.change_ateliersettings",
                "wagtail_atelier.change_hostrequest",
            ),
            True,
        ),
    ],
    ids=["settings only", "settings and host requests"],
)
def test_only_host_request_users_set_who_is_told_of_host_requests(
    client, django_user_model, root_page, permissions, may_change
):
    site = Site.objects.get(is_default_site=True)
    AtelierSettings.objects.update_or_create(
        site=site, defaults={"host_request_recipients": "koordination@example.org"}
    )
    user = page_moderator(django_user_model, "settings_editor", *permissions)
    client.force_login(user)

    form = client.get(settings_url(site)).content.decode()
    assert ('name="host_request_recipients"' in form) is may_change
    assert ("koordination@example.org" in form) is may_change
    response = client.post(
        settings_url(site),
        {"host_request_recipients": SPY, "registration_notifications": "digest"},
    )
    assert response.status_code == 302

    stored = AtelierSettings.objects.get(site=site).host_request_recipients
    assert stored == (SPY if may_change else "koordination@example.org")
