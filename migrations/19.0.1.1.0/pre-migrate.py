# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.1.0 takes the OCA addon's XML ids: keep the records, rename their ids.

Without this, the upgrade would create new records (groups' privilege, access
rights, views, the demo user) and delete the old ones with what refers to them.
"""

RENAMED = {
    "res_groups_privilege_fastapi": "privilege_fastapi",
    "access_fastapi_endpoint_user": "fastapi_endpoint_access_view",
    "access_fastapi_endpoint_manager": "fastapi_endpoint_access_manage",
    "access_fastapi_endpoint_runner": "fastapi_endpoint_fastapi_running_user",
    "fastapi_endpoint_rule_runner": "fastapi_endpoint_fastapi_running_user_rule",
    "fastapi_endpoint_view_list": "fastapi_endpoint_tree_view",
    "fastapi_endpoint_view_form": "fastapi_endpoint_form_view",
    "fastapi_endpoint_view_search": "fastapi_endpoint_search_view",
    "fastapi_endpoint_action": "fastapi_endpoint_act_window",
    "menu_fastapi_endpoint": "fastapi_endpoint_menu",
    "fastapi_demo_user": "my_demo_app_user",
}


def migrate(cr, version):
    for old, new in RENAMED.items():
        cr.execute(
            """
            UPDATE ir_model_data SET name = %s
             WHERE module = 'fastapi' AND name = %s
               AND NOT EXISTS (SELECT 1 FROM ir_model_data WHERE module = 'fastapi' AND name = %s)
            """,
            [new, old, new],
        )
