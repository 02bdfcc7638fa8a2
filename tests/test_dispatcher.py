# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo endpoints through Odoo's real HTTP stack (HttpCase)."""

import base64
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import get_lang

from odoo.addons.base.models import ir_http as base_ir_http

from .. import dependencies
from ..dispatcher import _may_have_body


@tagged("post_install", "-at_install")
class TestDemoOverHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = cls.env.ref("fastapi.fastapi_endpoint_demo")
        cls.multi = cls.env.ref("fastapi.fastapi_endpoint_multislash_demo")
        cls.login_key = cls.env.ref("fastapi.fastapi_endpoint_login_key_demo")
        cls.admin_partner = cls.env.ref("base.user_admin").partner_id

    def get(self, path, **kwargs):
        return self.url_open(path, allow_redirects=False, **kwargs)

    def assertJson(self, response, status, body=None):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        if body is not None:
            self.assertEqual(response.json(), body)
        return response.json()

    def test_hello(self):
        self.assertJson(self.get("/fastapi_demo/demo/"), 200, {"Hello": "World"})

    def test_no_session_cookie(self):
        response = self.get("/fastapi_demo/demo/")
        self.assertNotIn("session_id", response.cookies)
        self.assertNotIn("Set-Cookie", response.headers)

    def test_session_cookie_when_asked(self):
        self.demo.save_http_session = True
        self.env.flush_all()
        response = self.get("/fastapi_demo/demo/")
        self.assertIn("session_id", response.cookies)

    def test_unknown_route_inside_root_is_fastapi_404(self):
        self.assertJson(self.get("/fastapi_demo/nope"), 404, {"detail": "Not Found"})
        self.assertJson(self.get("/fastapi_demo"), 404, {"detail": "Not Found"})

    def test_outside_root_odoo_answers(self):
        response = self.get("/fastapi_demox/demo/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("text/html", response.headers["Content-Type"])
        self.assertEqual(self.get("/web/health").status_code, 200)

    def test_multi_segment_root_and_basic_auth(self):
        auth = "Basic " + base64.b64encode(b"admin:admin").decode()
        body = self.assertJson(self.get("/fastapi/demo-multi/demo/who_ami", headers={"Authorization": auth}), 200)
        self.assertEqual(body, {"name": self.admin_partner.name, "display_name": self.admin_partner.display_name})
        bad = "Basic " + base64.b64encode(b"admin:wrong").decode()
        response = self.get("/fastapi/demo-multi/demo/who_ami", headers={"Authorization": bad})
        self.assertJson(response, 401, {"detail": "Incorrect username or password"})
        self.assertEqual(response.headers["WWW-Authenticate"], "Basic")

    def test_api_key_auth(self):
        who = "/fastapi_demo_login_key/demo/who_ami"
        body = self.assertJson(self.get(who, headers={"api-key": "admin"}), 200)
        self.assertEqual(body, {"name": self.admin_partner.name, "display_name": self.admin_partner.display_name})
        self.assertJson(self.get(who, headers={"api-key": "nobody"}), 401)
        self.assertJson(self.get(who), 401)

    def test_authenticated_reads_nothing_else(self):
        route = "/fastapi_demo_login_key/demo/authenticated"
        self.assertJson(self.get(route, headers={"api-key": "admin"}), 200, {"partner_id": self.admin_partner.id})
        self.assertJson(self.get(route, headers={"api-key": "nobody"}), 401, {"detail": "Incorrect API Key"})

    def test_basic_auth_on_the_demo_endpoint(self):
        # The OCA addon's demo endpoint authenticates with HTTP Basic.
        auth = "Basic " + base64.b64encode(b"admin:admin").decode()
        body = self.assertJson(self.get("/fastapi_demo/demo/authenticated", headers={"Authorization": auth}), 200)
        self.assertEqual(body, {"partner_id": self.admin_partner.id})
        response = self.get("/fastapi_demo/demo/authenticated")
        self.assertJson(response, 401, {"detail": "Not authenticated"})
        self.assertEqual(response.headers["WWW-Authenticate"], "Basic")

    def test_api_key_lookup_follows_user_changes(self):
        who = "/fastapi_demo_login_key/demo/who_ami"
        # An unknown key is not remembered: the user created next is found.
        self.assertJson(self.get(who, headers={"api-key": "key_user"}), 401)
        user = self.env["res.users"].create({"name": "Key User", "login": "key_user"})
        self.env.flush_all()
        self.assertJson(self.get(who, headers={"api-key": "key_user"}), 200)
        user.login = "key_user_renamed"
        self.env.flush_all()
        self.assertJson(self.get(who, headers={"api-key": "key_user"}), 401)
        self.assertJson(self.get(who, headers={"api-key": "key_user_renamed"}), 200)
        user.active = False
        self.env.flush_all()
        self.assertJson(self.get(who, headers={"api-key": "key_user_renamed"}), 401)

    def test_endpoint_user_language_is_the_default(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.demo.user_id.lang = "fr_FR"
        self.env.flush_all()
        self.assertJson(self.get("/fastapi_demo/demo/lang"), 200, "fr_FR")
        headers = {"Accept-Language": "en-US"}
        self.assertJson(self.get("/fastapi_demo/demo/lang", headers=headers), 200, "en_US")

    def test_pre_dispatch_sees_the_endpoint_env(self):
        # ir.http._pre_dispatch asks get_lang for the env's language; with an
        # anonymous env and a client's uninstalled language (fr-BE here),
        # get_lang falls back on the company's through three queries.
        seen = []

        def spy(env, lang_code=None):
            seen.append((env.uid, env.context.get("lang")))
            return get_lang(env, lang_code)

        with patch.object(base_ir_http, "get_lang", spy):
            headers = {"Accept-Language": "fr-BE"}
            self.assertJson(self.get("/fastapi_demo/demo/lang", headers=headers), 200, "en_US")
        self.assertEqual(seen, [(self.demo.user_id.id, "en_US")])

    def test_endpoint_app_info(self):
        route = "/fastapi_demo_login_key/demo/endpoint_app_info"
        body = self.assertJson(self.get(route, headers={"api-key": "admin"}), 200)
        self.assertEqual(
            body,
            {
                "id": self.login_key.id,
                "name": self.login_key.name,
                "app": "demo",
                "demo_auth_method": "api_key",
                "root_path": "/fastapi_demo_login_key",
            },
        )

    def test_lang_from_accept_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.flush_all()
        for header, lang in [("fr-FR,en;q=0.5", "fr_FR"), ("fr-BE", "fr_FR"), ("de-DE", "en_US"), (None, "en_US")]:
            headers = {"Accept-Language": header} if header else {}
            self.assertJson(self.get("/fastapi_demo/demo/lang", headers=headers), 200, lang)

    def test_preferred_language_wins_over_an_exact_second_choice(self):
        # A client that prefers French gets the installed French, whatever its
        # region, rather than its second choice.
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env.flush_all()
        for header, lang in [("fr-FR,en;q=0.7,en-GB;q=0.3", "fr_BE"), ("fr-FR;q=0.1,en;q=1.0", "en_US")]:
            headers = {"Accept-Language": header}
            self.assertJson(self.get("/fastapi_demo/demo/lang", headers=headers), 200, lang)

    def test_errors(self):
        cases = {
            "UserError": 400,
            "ValidationError": 400,
            "AccessError": 403,
            "AccessDenied": 403,
            "MissingError": 404,
            "HTTPException": 409,
            "WerkzeugException": 409,
        }
        for kind, status in cases.items():
            with self.subTest(kind=kind):
                response = self.get(f"/fastapi_demo/demo/exception?exception_type={kind}&error_message=boom%20{kind}")
                body = self.assertJson(response, status)
                if kind not in ("AccessDenied", "WerkzeugException"):
                    self.assertEqual(body, {"detail": f"boom {kind}"})

    def test_bare_exception_is_generic_500(self):
        with self.assertLogs("odoo.http", "ERROR"):
            response = self.get("/fastapi_demo/demo/exception?exception_type=BareException&error_message=secret")
        self.assertJson(response, 500, {"detail": "Internal Server Error"})
        self.assertNotIn("secret", response.text)
        self.assertNotIn("Traceback", response.text)

    def test_validation_error_422(self):
        body = self.assertJson(self.get("/fastapi_demo/demo/exception?exception_type=Nope&error_message=x"), 422)
        self.assertEqual(body["detail"][0]["loc"], ["query", "exception_type"])

    def short_backoff(self):
        # Odoo waits up to 2**n s before its retry n, 14 s in all for three:
        # more than url_open's 12 s timeout, which CI once hit. A hundredth of
        # it still retries, through the same code.
        return patch("odoo.service.model.random.uniform", side_effect=lambda low, high: high / 100)

    def test_retrying_get(self):
        with self.short_backoff():
            self.assertJson(self.get("/fastapi_demo/demo/retrying?nbr_retries=2"), 200, 2)

    def test_retrying_post_reads_the_file_again(self):
        with self.short_backoff():
            response = self.url_open(
                "/fastapi_demo/demo/retrying?nbr_retries=3",
                files={"file": ("hello.txt", b"hello file", "text/plain")},
            )
        self.assertJson(response, 200, {"retries": 3, "file": "hello file"})

    def test_retrying_post_parses_the_json_again(self):
        with self.short_backoff():
            response = self.url_open("/fastapi_demo/demo/retrying_json?nbr_retries=2", json={"text": "héllo"})
        self.assertJson(response, 200, {"retries": 2, "payload": {"text": "héllo"}})

    def test_body_over_the_upload_limit_is_413(self):
        # Odoo's setting, which the werkzeug it pins applies to forms only.
        self.env["ir.config_parameter"].sudo().set_param("web.max_file_upload_size", "32")
        route = "/fastapi_demo/demo/retrying_json?nbr_retries=0"
        self.assertJson(self.url_open(route, json={"text": "x" * 8}), 200)
        body = self.assertJson(self.url_open(route, json={"text": "x" * 64}), 413)
        self.assertIn("exceeds the capacity limit", body["detail"])

    def test_docs_pages(self):
        for path in ("/fastapi_demo/docs", "/fastapi_demo/redoc"):
            response = self.get(path)
            self.assertEqual(response.status_code, 200, response.text)
            self.assertIn("/fastapi/static/lib/", response.text)
            self.assertNotIn("cdn.jsdelivr.net", response.text)
        spec = self.assertJson(self.get("/fastapi_demo/openapi.json"), 200)
        self.assertEqual(spec["info"]["title"], self.demo.name)
        self.assertEqual(spec["servers"], [{"url": "/fastapi_demo"}])
        self.assertIn("/demo/who_ami", spec["paths"])
        asset = self.get("/fastapi/static/lib/swagger-ui/swagger-ui-bundle.js")
        self.assertEqual(asset.status_code, 200)

    def test_a_body_is_read_where_werkzeug_would_find_one(self):
        # Without a length, werkzeug reads nothing, unless the server ended
        # the input (a de-chunked body); a chunked body left as it is must
        # reach the check that refuses it.
        cases = [
            ({}, False),
            ({"CONTENT_LENGTH": ""}, False),
            ({"CONTENT_LENGTH": "0"}, True),
            ({"CONTENT_LENGTH": "12"}, True),
            ({"HTTP_TRANSFER_ENCODING": "chunked"}, True),
            ({"wsgi.input_terminated": True}, True),
        ]
        for environ, expected in cases:
            self.assertIs(_may_have_body(environ), expected, environ)

    def test_accept_language_is_documented_not_solved(self):
        # The dispatcher sets the language; the app-level dependency only
        # documents the header: listed on every operation, never called.
        spec = self.assertJson(self.get("/fastapi_demo/openapi.json"), 200)
        for path, path_item in spec["paths"].items():
            for method, operation in path_item.items():
                names = [parameter["name"] for parameter in operation.get("parameters", ())]
                self.assertIn("Accept-Language", names, f"{method} {path}")
                self.assertIn("422", operation["responses"], f"{method} {path}")
        app = self.demo._get_app()
        self.assertNotIn(dependencies.accept_language, [dep.dependency for dep in app.router.dependencies])

    def test_docs_render_in_browser(self):
        self.browser_js(
            "/fastapi_demo/docs",
            "console.log('test successful')",
            ready="!!(document.querySelector('.swagger-ui .info .title')"
            " && document.querySelector('.swagger-ui .opblock'))",
        )
        self.browser_js(
            "/fastapi_demo/redoc",
            "console.log('test successful')",
            ready="!!document.querySelector('.api-content h1')",
        )
