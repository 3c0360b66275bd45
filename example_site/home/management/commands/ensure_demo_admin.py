"""Create the demo superuser "admin" if it does not exist, and say how to log in."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "admin"
PASSWORD = "atelier-demo"
EMAIL = "admin@example.org"
# Wagtail lets a user change the admin language (Account → Preferences) only once
# their account has a name, so the demo coordinator has one.
FIRST_NAME = "Andrea"
LAST_NAME = "Keller"


def admin_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"


class Command(BaseCommand):
    help = (
        'Create the superuser "admin" with the password "atelier-demo" unless a '
        "user of that name exists (its password is then left as it is; a missing "
        "first or last name is filled in). For local demos only."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        lookup = {User.USERNAME_FIELD: USERNAME}
        user = User.objects.filter(**lookup).first()
        if user is None:
            User.objects.create_superuser(
                **lookup,
                email=EMAIL,
                password=PASSWORD,
                first_name=FIRST_NAME,
                last_name=LAST_NAME,
            )
            self.stdout.write(self.style.SUCCESS(f'Created superuser "{USERNAME}".'))
        else:
            named = self.give_name(user)
            extra = " (first and last name added)" if named else ""
            self.stdout.write(f'User "{USERNAME}" exists, left unchanged{extra}.')
        self.stdout.write(
            f"Admin: {admin_url()}  user: {USERNAME}  password: {PASSWORD}"
        )

    @staticmethod
    def give_name(user) -> bool:
        """Fill in a missing first or last name of an admin made by an older demo."""
        fields = []
        if not getattr(user, "first_name", "x"):
            user.first_name = FIRST_NAME
            fields.append("first_name")
        if not getattr(user, "last_name", "x"):
            user.last_name = LAST_NAME
            fields.append("last_name")
        if fields:
            user.save(update_fields=fields)
        return bool(fields)
