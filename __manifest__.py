# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "FastAPI",
    "summary": "Serve REST APIs written with FastAPI from inside Odoo",
    "version": "19.0.1.2.6",
    "category": "Technical",
    "license": "LGPL-3",
    "author": "The fastapi addon authors",
    "website": "https://github.com/fastapi-odoo/fastapi",
    "depends": ["base", "web"],
    "data": [
        "security/res_groups.xml",
        "security/ir.model.access.csv",
        "security/ir_rule.xml",
        "views/fastapi_endpoint_views.xml",
        "views/fastapi_endpoint_demo.xml",
        "views/fastapi_endpoint_cors_views.xml",
        "views/fastapi_endpoint_api_key_views.xml",
        "views/fastapi_menus.xml",
        "views/fastapi_idempotency_key_views.xml",
        "data/ir_cron_idempotency.xml",
    ],
    "demo": ["demo/fastapi_endpoint_demo.xml", "demo/fastapi_endpoint_api_key_demo.xml"],
    "uninstall_hook": "uninstall_hook",
    "external_dependencies": {
        "python": ["fastapi>=0.115.0", "a2wsgi>=1.10.6", "pydantic>=2", "python-multipart>=0.0.9"],
    },
}
