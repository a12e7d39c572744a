"""WSGI entry of the bare reference (`gunicorn bare_django.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_django.settings")
application = get_wsgi_application()
