"""Create the demo superuser "admin" if it does not exist, and say how to log in."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "admin"
PASSWORD = "atelier-demo"
EMAIL = "admin@example.org"


class Command(BaseCommand):
    help = (
        'Create the superuser "admin" with the password "atelier-demo" unless a '
        "user of that name exists (its password is then left as it is). For local "
        "demos only."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        lookup = {User.USERNAME_FIELD: USERNAME}
        if User.objects.filter(**lookup).exists():
            self.stdout.write(f'User "{USERNAME}" exists, left unchanged.')
        else:
            User.objects.create_superuser(**lookup, email=EMAIL, password=PASSWORD)
            self.stdout.write(self.style.SUCCESS(f'Created superuser "{USERNAME}".'))
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  user: {USERNAME}  "
            f"password: {PASSWORD}"
        )
