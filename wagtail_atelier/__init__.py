"""Practice workshops for Wagtail sites of the Caring Communities network."""

__version__ = "0.1.0.dev0"
