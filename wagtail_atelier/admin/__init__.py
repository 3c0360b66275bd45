"""The coordinator's web: the admin screens of the package (object actions, host
request workflow, table plan, harvest, exports) and the dashboard component.

The records' listings themselves are built with wagtail-modeladmin in
``wagtail_atelier.contrib.modeladmin``; everything here knows nothing of it.
"""
