# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Odoo's test runner imports this package as odoo.addons.fastapi.tests; pytest
# imports it as plain "tests" to reach tests/unit and tests/live, which must
# not pull Odoo's test cases in.
if __name__.startswith("odoo.addons."):
    from . import test_basic_auth
    from . import test_api_key
    from . import test_dispatcher
    from . import test_endpoint
    from . import test_endpoint_cors
    from . import test_hostile_input
    from . import test_login_lookup
    from . import test_oca_compat
