# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The docs pages of an app, with their assets served by Odoo itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN: an Odoo server
often has no internet access, and its users' browsers may not either. The
addon ships the assets in ``static/lib`` instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

STATIC = "/fastapi/static/lib"
SWAGGER_JS = "swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui/swagger-ui.css"
SWAGGER_FAVICON = "swagger-ui/favicon-32x32.png"
REDOC_JS = "redoc/redoc.standalone.js"


def _openapi_url(request: Request) -> str:
    return request.scope.get("root_path", "") + (request.app.openapi_url or "/openapi.json")


def _asset(request: Request, path: str) -> str:
    # Odoo serves the assets from its own root, which SCRIPT_NAME moves when
    # Odoo runs under a prefix (a2wsgi keeps the WSGI environ in the scope).
    script_name = request.scope.get("wsgi_environ", {}).get("SCRIPT_NAME", "")
    return f"{script_name.rstrip('/')}{STATIC}/{path}"


# The pages read the app from the request: one router serves every app.
router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_asset(request, SWAGGER_JS),
        swagger_css_url=_asset(request, SWAGGER_CSS),
        swagger_favicon_url=_asset(request, SWAGGER_FAVICON),
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_asset(request, REDOC_JS),
        redoc_favicon_url=_asset(request, SWAGGER_FAVICON),
        with_google_fonts=False,
    )
