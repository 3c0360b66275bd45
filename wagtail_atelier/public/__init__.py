"""The visitor's web: the views behind the pages' routes (registration, feedback,
host requests), their forms and the spam protection.

The page models dispatch to these views by dotted path (``public_views`` on the page
mixins), so the models never import this package.
"""
