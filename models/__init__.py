# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import base
from . import fastapi_endpoint
from .fastapi_endpoint import FastapiEndpoint
from . import fastapi_endpoint_cors
from . import fastapi_endpoint_demo
from . import fastapi_endpoint_http
from . import fastapi_endpoint_idempotency
from . import fastapi_idempotency_key
from . import ir_http
from . import ir_rule
from . import res_lang
from . import res_users
from . import res_users_basic_auth
from . import fastapi_endpoint_api_key
from . import res_users_apikeys
