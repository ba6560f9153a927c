"""The WSGI application for gunicorn (docs/portal.md): ``gunicorn dagster_project.portal.wsgi``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dagster_project.portal.settings")
application = get_wsgi_application()
