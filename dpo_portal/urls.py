from django.contrib import admin
from django.urls import include, path

from .views import home

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Each app adds its own pages (support intake, API) through `<app>/urls.py`, mounted here.
APP_URLS = {"support/": "requests_app.urls", "api/": "consents.urls", "screening/": "screening.urls"}
for prefix, module in APP_URLS.items():
    try:
        __import__(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        continue
    urlpatterns.append(path(prefix, include(module)))

# MEDIA_ROOT (uploaded evidence) is never served as it is, not even with DEBUG: each file is handed out by the view
# of the record holding it, which checks the permission and audits (e.g. the request admin's evidence download).
