# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import routing_signal


def uninstall_hook(env):
    # The ORM drops the tables it made; the sequence, the trigger functions
    # and the triggers on res_users and res_partner are ours to drop.
    routing_signal.uninstall(env.cr)
