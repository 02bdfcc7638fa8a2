# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "FastAPI test notes",
    "summary": "Test-only addon: an API written purely against the fastapi addon's public API",
    "version": "19.0.1.0.0",
    "license": "LGPL-3",
    "author": "The fastapi addon authors",
    "website": "https://github.com/fastapi-odoo/fastapi",
    "depends": ["fastapi"],
    "data": [
        "security/ir.model.access.csv",
        "security/ir_rule.xml",
        "data/fastapi_endpoint.xml",
        "data/fastapi_endpoint_api_key.xml",
    ],
}
