"""ASGI config for the bookshop project."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.settings.production")

application = get_asgi_application()
