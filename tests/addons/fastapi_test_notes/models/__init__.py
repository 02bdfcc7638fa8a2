# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import fastapi_endpoint
from . import fastapi_test_note
from . import fastapi_endpoint_api_key
from . import fastapi_test_counter
