"""The interactive API docs at ``/docs``, served from this server's own files.

FastAPI's default page loads Swagger UI from a CDN, so it is blank at a site without
internet. Here Swagger UI (npm ``swagger-ui-dist``, unchanged, with its licence) is
vendored in ``api/static/vendor/swagger-ui/``; ReDoc, which would need the CDN too, is off.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
VENDOR = "/static/vendor/swagger-ui"


def install(app: FastAPI) -> None:
    """Add ``/docs`` to an app made with ``docs_url=None, redoc_url=None``."""

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API",
            swagger_js_url=f"{root}{VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{VENDOR}/swagger-ui.css",
            swagger_favicon_url=f"{root}{VENDOR}/favicon-32x32.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL)

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
