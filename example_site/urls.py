from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

# The admin and documents are not translated content: they stay outside the language
# prefix. Pages are served under /de/, /fr/ and /it/.
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    # The demo runs with DEBUG off (settings/dev.py) and still shows uploads; a real
    # site serves MEDIA_ROOT from its web server instead.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += i18n_patterns(
    # Wagtail's catch-all serve view: keep it last.
    path("", include(wagtail_urls)),
)
