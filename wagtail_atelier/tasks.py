"""Background work, as django-tasks tasks: idempotent and safe to retry.

With Django's default (immediate) backend the tasks run right after the commit of the
change that queued them; with a worker (``django-tasks-db``'s ``db_worker``) they run
in the worker. Either way the mail row already exists.
"""

from __future__ import annotations

try:
    # Django 6 has its own tasks framework, and django-tasks-db's worker runs only
    # tasks made with it there; both it and the backport read the one TASKS setting.
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport, as Wagtail uses it
    from django_tasks import task


@task()
def send_mail(mail_id: int) -> str:
    """Send one stored mail (``sent``, ``failed`` or ``skipped`` if already handled)."""
    from .services.mail import deliver

    return deliver(mail_id)


@task()
def send_due_mails() -> dict:
    """Retry failed mails whose backoff has passed; schedule it every few minutes."""
    from .services.mail import deliver_due

    return deliver_due()


@task()
def send_reminders() -> int:
    """Queue the reminder mails that are due; each registration gets one, once."""
    from .services.registration import send_due_reminders

    return send_due_reminders()


@task()
def send_digests() -> int:
    """Queue the daily digest of registrations of each workshop that has changes,
    for the sites that chose digests (the default); one per workshop and
    ``WAGTAIL_ATELIER_DIGEST_HOURS`` at most. Schedule it hourly."""
    from .services.notifications import send_due_digests

    return send_due_digests()


@task()
def send_feedback_requests() -> int:
    """Queue the feedback mails that are due; each registration gets one, once."""
    from .services.feedback import send_due_feedback_requests

    return send_due_feedback_requests()


@task()
def send_networking_lists() -> int:
    """Queue the networking list of each workshop that is due (ended
    ``WAGTAIL_ATELIER_NETWORKING_LIST_DELAY`` ago, not held back); each list goes
    once. Schedule it hourly or daily."""
    from .services.networking import send_due_networking_lists

    return send_due_networking_lists()


@task()
def apply_retention() -> dict:
    """Remove the personal data that are due (``WAGTAIL_ATELIER_RETENTION_MONTHS``
    after a workshop, ``WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS`` after a host
    request closed); the counts stay. Schedule it daily: it is idempotent, so a
    missed or repeated day does no harm. Returns counts only."""
    from .services.retention import apply_retention as run

    return run().totals()


@task()
def send_message_mails(message_id: int) -> dict:
    """Send the stored mails of one coordinators' message (one per person); a mail
    that fails is retried on its own, like any other."""
    from .services.messages import deliver_message

    return deliver_message(message_id)


@task()
def fetch_network_feeds() -> int:
    """Refresh the other sites' workshop feeds (``WAGTAIL_ATELIER_NETWORK_FEEDS``);
    returns how many failed. Schedule it every 15 minutes or so."""
    from .services.network import refresh_network_feeds

    return sum(1 for feed in refresh_network_feeds() if feed.last_error)
