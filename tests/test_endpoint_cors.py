# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The CORS settings of an endpoint (models/fastapi_endpoint_cors.py)."""

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestEndpointCors(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.env.ref("fastapi.fastapi_endpoint_demo")

    def test_off_by_default(self):
        self.assertFalse(self.endpoint.cors_allowed_origins)
        self.assertIsNone(self.endpoint._get_cors_policy())

    def test_policy(self):
        self.endpoint.write({"cors_allowed_origins": "https://a.example, http://b.example:8080"})
        policy = self.endpoint._get_cors_policy()
        self.assertEqual(policy.origins, {"https://a.example", "http://b.example:8080"})
        self.assertEqual(policy.methods, {"GET", "HEAD", "POST"})

    def test_change_rebuilds_the_app(self):
        version = self.endpoint.app_version
        self.endpoint.cors_allowed_origins = "*"
        self.assertGreater(self.endpoint.app_version, version)

    def test_invalid_values_are_refused(self):
        for vals in (
            {"cors_allowed_origins": "https://a.example/path"},
            {"cors_allowed_origins": "a.example"},
            {"cors_allowed_origins": "*", "cors_allowed_methods": "GET;DROP"},
            {"cors_allowed_origins": "*", "cors_allowed_headers": "x:y"},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.endpoint.write(vals)
