# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .demo_router import __doc__ as demo_router_doc
from .demo_router import router as demo_router

__all__ = ["demo_router", "demo_router_doc"]
