"""The WSGI application the production server (`evstats serve`, gunicorn) runs."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipelines.portal.settings")
application = get_wsgi_application()
