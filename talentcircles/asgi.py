import os

from django.core.asgi import get_asgi_application

from talentcircles.env import mark_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
mark_web_process()  # before the settings load: web requests get the statement timeout (docs/scale.md)
application = get_asgi_application()
