# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a hostile or careless client sends, through Odoo's HTTP stack (HttpCase).

Some requests cannot be made with an HTTP client library (a raw byte in the
query string, broken chunk framing, a body that never ends): they are written
on a socket to the test server.
"""

import base64
import json
import socket
import time

from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

DEMO = "/fastapi_demo"
MULTI = "/fastapi/demo-multi"
LOGIN_KEY = "/fastapi_demo_login_key"


def basic(credentials: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode()}


@tagged("post_install", "-at_install")
class TestHostileInput(HttpCase):
    def raw(self, request: bytes, timeout: float = 10, body_pieces: tuple[bytes, ...] = ()) -> tuple[int, dict, bytes]:
        """Send bytes as they are; the status, headers and body of the answer."""
        # As url_open does: the server sees the test's writes, and serves only
        # the requests that carry the test's cookie.
        self.env.flush_all()
        self.cr.clear()
        with self.allow_requests():
            cookie = f"\r\nCookie: {TEST_CURSOR_COOKIE_NAME}={self.http_request_key}\r\n".encode()
            answer = self._exchange(request.replace(b"\r\n", cookie, 1), timeout, body_pieces)
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers, body

    def _exchange(self, request: bytes, timeout: float, body_pieces: tuple[bytes, ...]) -> bytes:
        with socket.create_connection(("127.0.0.1", self.http_port()), timeout=timeout) as sock:
            sock.sendall(request)
            for piece in body_pieces:
                try:
                    sock.sendall(piece)
                except OSError:
                    break  # the server answered and closed: the rest is not wanted
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
                if self._complete(answer):
                    break
        return answer

    @staticmethod
    def _complete(answer: bytes) -> bool:
        head, sep, body = answer.partition(b"\r\n\r\n")
        if not sep:
            return False
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return len(body) >= int(value)
        return False

    def assertJsonAnswer(self, status, headers, body, expected_status):
        self.assertEqual(status, expected_status, body)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertNotIn(b"Traceback", body)
        return json.loads(body)

    # 1. Raw bytes in the request line

    def test_raw_non_ascii_byte_in_the_query_string(self):
        answer = self.raw(b"GET /fastapi_demo/demo/?x=\xe9 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        self.assertEqual(self.assertJsonAnswer(*answer, 200), {"Hello": "World"})

    def test_path_that_is_not_utf8(self):
        answer = self.raw(b"GET /fastapi_demo/demo/%ff HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        self.assertEqual(self.assertJsonAnswer(*answer, 404), {"detail": "Not Found"})

    # 2. Control characters in credentials

    def test_nul_in_api_key_is_a_wrong_key(self):
        with self.assertLogs("odoo.addons.fastapi.engine.credentials", "WARNING") as logs:
            response = self.url_open(f"{LOGIN_KEY}/demo/who_ami", headers={"api-key": "admin\x00"})
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json(), {"detail": "Incorrect API Key"})
        self.assertEqual(len(logs.output), 1)
        self.assertNotIn("admin", logs.output[0])

    def test_control_characters_in_basic_credentials_are_wrong_credentials(self):
        for credentials in (b"admin\x00:x", b"admin:ad\x00min", b"admin:admin\x7f", b"adm\tin:admin"):
            with self.subTest(credentials=credentials):
                with self.assertLogs("odoo.addons.fastapi.engine.credentials", "WARNING") as logs:
                    response = self.url_open(f"{MULTI}/demo/who_ami", headers=basic(credentials))
                self.assertEqual(response.status_code, 401, response.text)
                self.assertEqual(response.json(), {"detail": "Incorrect username or password"})
                self.assertEqual(response.headers["WWW-Authenticate"], "Basic")
                self.assertEqual(len(logs.output), 1)
                self.assertNotIn("admin", logs.output[0])

    # 3, 4. Chunked bodies

    def chunked_post(self, route: str) -> bytes:
        return (
            f"POST {route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()

    def test_chunked_body_is_refused_as_soon_as_it_crosses_the_limit(self):
        self.env["ir.config_parameter"].sudo().set_param("web.max_file_upload_size", "1000")
        piece = b"400\r\n" + b"x" * 0x400 + b"\r\n"
        # Two pieces cross the limit; the client never ends the body. A server
        # that read the whole stream first would wait for the rest until the timeout.
        start = time.monotonic()
        answer = self.raw(self.chunked_post(f"{DEMO}/demo/retrying_json?nbr_retries=0"), 20, (piece, piece))
        body = self.assertJsonAnswer(*answer, 413)
        self.assertIn("exceeds the capacity limit", body["detail"])
        self.assertLess(time.monotonic() - start, 10)

    def test_chunked_body_under_the_limit_is_read(self):
        payload = b'{"text": "chunked"}'
        chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
        answer = self.raw(self.chunked_post(f"{DEMO}/demo/retrying_json?nbr_retries=1") + chunks)
        self.assertEqual(self.assertJsonAnswer(*answer, 200), {"retries": 1, "payload": {"text": "chunked"}})

    def test_answers_made_before_the_app_carry_the_cors_headers(self):
        self.env.ref("fastapi.fastapi_endpoint_demo").cors_allowed_origins = "https://shop.example"
        self.env["ir.config_parameter"].sudo().set_param("web.max_file_upload_size", "1000")
        post = self.chunked_post(f"{DEMO}/demo/retrying_json?nbr_retries=0")
        post = post.replace(b"\r\n\r\n", b"\r\nOrigin: https://shop.example\r\n\r\n", 1)
        piece = b"400\r\n" + b"x" * 0x400 + b"\r\n"
        status, headers, body = self.raw(post, 20, (piece, piece))
        self.assertJsonAnswer(status, headers, body, 413)
        self.assertEqual(headers["access-control-allow-origin"], "https://shop.example")
        with self.assertLogs("odoo.addons.fastapi.dispatcher", "WARNING"):
            status, headers, body = self.raw(post + b"zz\r\nxx\r\n0\r\n\r\n")
        self.assertJsonAnswer(status, headers, body, 400)
        self.assertEqual(headers["access-control-allow-origin"], "https://shop.example")
        other = post.replace(b"https://shop.example", b"https://evil.example")
        status, headers, body = self.raw(other, 20, (piece, piece))
        self.assertJsonAnswer(status, headers, body, 413)
        self.assertNotIn("access-control-allow-origin", headers)

    def test_malformed_chunk_framing_is_400(self):
        with self.assertLogs("odoo.addons.fastapi.dispatcher", "WARNING"):
            answer = self.raw(self.chunked_post(f"{DEMO}/demo/retrying_json?nbr_retries=0") + b"zz\r\nxx\r\n0\r\n\r\n")
        self.assertEqual(self.assertJsonAnswer(*answer, 400), {"detail": "Malformed request body"})

    # 9. Redirects

    def test_trailing_slash_redirect_is_relative(self):
        response = self.url_open(f"{DEMO}/demo/lang/?a=1", headers={"Host": "evil.example"}, allow_redirects=False)
        self.assertEqual(response.status_code, 307, response.text)
        self.assertEqual(response.headers["Location"], f"{DEMO}/demo/lang?a=1")

    # 10. HEAD, OPTIONS, CORS

    def test_head_answers_like_get_without_body(self):
        get = self.url_open(f"{DEMO}/demo/")
        head = self.url_open(f"{DEMO}/demo/", method="HEAD")
        self.assertEqual(head.status_code, 200, head.text)
        self.assertEqual(head.content, b"")
        self.assertEqual(head.headers["Content-Length"], get.headers["Content-Length"])
        self.assertEqual(head.headers["Content-Type"], "application/json")

    def test_options_names_the_allowed_methods(self):
        response = self.url_open(f"{DEMO}/demo/retrying", method="OPTIONS")
        self.assertEqual(response.status_code, 204, response.text)
        self.assertEqual(response.headers["Allow"], "GET, HEAD, OPTIONS, POST")
        # Nothing in it: werkzeug had labelled it text/html.
        self.assertNotIn("Content-Type", response.headers)

    def preflight(self, origin: str) -> dict[str, str]:
        return {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, api-key",
        }

    def test_cors_is_off_by_default(self):
        response = self.url_open(f"{DEMO}/demo/retrying", method="OPTIONS", headers=self.preflight("https://a.example"))
        self.assertEqual(response.status_code, 204, response.text)
        self.assertNotIn("Access-Control-Allow-Origin", response.headers)
        get = self.url_open(f"{DEMO}/demo/", headers={"Origin": "https://a.example"})
        self.assertNotIn("Access-Control-Allow-Origin", get.headers)

    def test_cors_policy_of_the_endpoint(self):
        self.env.ref("fastapi.fastapi_endpoint_demo").write(
            {
                "cors_allowed_origins": "https://shop.example",
                "cors_allowed_methods": "GET, POST",
                "cors_allowed_headers": "Content-Type, api-key",
            }
        )
        self.env.flush_all()
        route = f"{DEMO}/demo/retrying"
        allowed = self.url_open(route, method="OPTIONS", headers=self.preflight("https://shop.example"))
        self.assertEqual(allowed.status_code, 204, allowed.text)
        self.assertEqual(allowed.headers["Access-Control-Allow-Origin"], "https://shop.example")
        self.assertEqual(allowed.headers["Access-Control-Allow-Methods"], "GET, POST")
        self.assertEqual(allowed.headers["Access-Control-Allow-Headers"], "content-type, api-key")
        refused = self.url_open(route, method="OPTIONS", headers=self.preflight("https://evil.example"))
        self.assertEqual(refused.status_code, 400, refused.text)
        self.assertEqual(refused.json(), {"detail": "CORS origin not allowed"})
        get = self.url_open(f"{DEMO}/demo/", headers={"Origin": "https://shop.example"})
        self.assertEqual(get.headers["Access-Control-Allow-Origin"], "https://shop.example")
