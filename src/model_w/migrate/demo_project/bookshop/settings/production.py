import os

from .base import *  # noqa: F401,F403

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "bookshop.example").split(",")

CORS_ALLOWED_ORIGINS = os.environ.get("CORS_ALLOWED_ORIGINS", "https://bookshop.example").split(",")

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
