from django import template
from django.utils.translation import get_language
from wagtail.models import Site

register = template.Library()

# The site ships no message catalogue of its own; its few words are here.
MENU_LABELS = {
    "de": "Hauptnavigation",
    "fr": "Navigation principale",
    "it": "Navigazione principale",
}


@register.inclusion_tag("home/includes/site_menu.html", takes_context=True)
def site_menu(context):
    """The home page and its "show in menus" children, in the active language.

    ``current`` is "page" for the page being shown and "true" for the section it
    belongs to (a workshop inside the workshop index), for ``aria-current``.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {"home": None, "items": [], "label": ""}
    home = site.root_page.localized
    page = context.get("page")
    items = []
    for child in home.get_children().live().public().in_menu():
        current = ""
        if page is not None and getattr(page, "url_path", None):
            if page.pk == child.pk:
                current = "page"
            elif page.url_path.startswith(child.url_path):
                current = "true"
        items.append({"page": child, "current": current})
    language = (get_language() or "de")[:2]
    return {"home": home, "items": items, "label": MENU_LABELS.get(language, "Menu")}
