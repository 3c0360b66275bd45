"""The admin listings of the package's records (registrations, mails, host requests)
built with wagtail-modeladmin, and only here.

wagtail-modeladmin is in maintenance mode upstream; keeping every use of it, its URL
names included, in this sub-package (as ``wagtail_localize.modeladmin`` does) means
it can be swapped for Wagtail's ``ModelViewSet`` without touching the rest. The
rest of the package asks :mod:`wagtail_atelier.links` for the admin URL of a record.
"""
