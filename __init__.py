# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import dispatcher
from . import fastapi_dispatcher
from . import controllers
from . import models
from .hooks import uninstall_hook
