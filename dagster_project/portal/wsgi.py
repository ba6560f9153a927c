"""The WSGI application for gunicorn (docs/portal.md): ``gunicorn dagster_project.portal.wsgi``."""

from __future__ import annotations

import os
import threading

from django.core.wsgi import get_wsgi_application

from dagster_project.portal.checking import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dagster_project.portal.settings")
application = get_wsgi_application()

# Only a serving process imports this module (not `vocwh user`, not the tests' own servers):
# importing Great Expectations here, beside the first requests, takes about 5 s off the first
# upload's check (tools/upload_timing.py).
threading.Thread(target=warm_up, name="vocwh-portal-warm-up", daemon=True).start()
