# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_notes_http
from . import test_notes_idempotency
from . import test_notes_testclient
from . import test_notes_api_key
