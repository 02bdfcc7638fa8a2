# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Benchmark ceiling: plain Odoo routes",
    "summary": "Benchmark-only addon: the API-key benchmark's ORM calls in plain Odoo routes, unauthenticated",
    "version": "19.0.1.0.0",
    "license": "LGPL-3",
    "author": "The fastapi addon authors",
    "website": "https://github.com/fastapi-odoo/fastapi",
    "depends": ["base"],
}
