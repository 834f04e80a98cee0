"""The schema endpoint (a module of its own: drf_spectacular.views imports the schema class)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer


class SchemaView(SpectacularAPIView):
    """/api/schema/ for signed-in users (SPECTACULAR_SETTINGS SERVE_*); a refusal comes in the API's
    JSON error shape, not as an OpenAPI document."""

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
