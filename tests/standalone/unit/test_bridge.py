# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""bridge: FastAPI apps run to completion for a WSGI environ, no Odoo needed."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from fastapi import FastAPI, File, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

import docs
from bridge import LoopedApp, make_scope


def environ(
    path: str, method: str = "GET", query: str = "", headers: dict[str, str] | None = None, script_name: str = ""
) -> dict:
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8069",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    return env


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int, request: Request) -> dict:
        return {"id": item_id, "root_path": request.scope["root_path"], "thread": threading.get_ident()}

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {"body": (await request.body()).decode()}

    @app.post("/upload")
    async def upload(file: bytes = File()) -> dict:
        return {"size": len(file)}

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418, "short and stout", headers={"X-Tea": "earl grey"})

    @app.get("/crash")
    async def crash() -> None:
        raise LookupError("boom")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def parts():
            for n in range(3):
                await asyncio.sleep(0)
                yield f"part{n};".encode()

        return StreamingResponse(parts())

    @app.get("/sync")
    def sync() -> dict:
        return {"thread": threading.get_ident()}

    return app


def call(app: FastAPI, path: str, body: bytes = b"", **kwargs):
    looped = LoopedApp(app)
    try:
        return looped(make_scope(environ(f"/api{path}", **kwargs), "/api"), body)
    finally:
        looped.close()


def test_routes_relative_to_root_path_on_the_callers_thread(app):
    response = call(app, "/items/3")
    assert response.status == 200
    assert response.body.startswith(b'{"id":3,"root_path":"/api"')
    assert f'"thread":{threading.get_ident()}'.encode() in response.body
    assert ("content-type", "application/json") in response.headers


def test_body_is_given_whole(app):
    response = call(app, "/echo", b"hello", method="POST", headers={"Content-Length": "5"})
    assert response.body == b'{"body":"hello"}'


def test_multipart_upload(app):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello file\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body))}
    response = call(app, "/upload", body, method="POST", headers=headers)
    assert (response.status, response.body) == (200, b'{"size":10}')


def test_http_errors_keep_status_and_headers(app):
    response = call(app, "/teapot")
    assert response.status == 418
    assert ("x-tea", "earl grey") in response.headers
    assert response.body == b'{"detail":"short and stout"}'


def test_app_exception_reaches_the_caller(app):
    # Odoo must see it to roll back or retry, even though Starlette answered 500.
    with pytest.raises(LookupError):
        call(app, "/crash")


def test_streaming_response_is_collected(app):
    assert call(app, "/stream").body == b"part0;part1;part2;"


def test_sync_route_runs_on_a_worker_thread(app):
    response = call(app, "/sync")
    assert response.status == 200
    assert str(threading.get_ident()).encode() not in response.body


def test_unknown_route_is_fastapi_404(app):
    response = call(app, "/nope")
    assert (response.status, response.body) == (404, b'{"detail":"Not Found"}')


def test_one_looped_app_serves_requests_one_after_another(app):
    looped = LoopedApp(app)
    try:
        for n in range(50):
            assert looped(make_scope(environ(f"/api/items/{n}"), "/api"), b"").status == 200
    finally:
        looped.close()
    assert looped.loop.is_closed()


def test_incomplete_response_is_an_error():
    async def mute(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    with pytest.raises(RuntimeError, match="without completing"):
        call(mute, "/x")


def test_script_name_stays_in_front_of_the_root_path(app):
    response = call(app, "/items/5", script_name="/odoo")
    assert response.status == 200
    assert response.body.startswith(b'{"id":5,"root_path":"/odoo/api"')


def test_raw_bytes_of_the_query_string_reach_the_app():
    # A client sent "?x=\xe9" unencoded: the WSGI server hands it on as latin-1.
    scope = make_scope(environ("/api/items/1", query="x=\xe9&y=%C3%A9"), "/api")
    assert scope["query_string"] == b"x=\xe9&y=%C3%A9"


def test_query_string_with_a_raw_byte_is_served(app):
    app.get("/query")(_echo_query)
    response = call(app, "/query", query="x=\xe9&y=%C3%A9")
    assert response.status == 200, response.body
    assert response.body == b'{"x":"\xc3\xa9","y":"\xc3\xa9"}'.decode("unicode_escape").encode("latin-1")


async def _echo_query(request: Request) -> dict:
    return dict(request.query_params)


def test_path_that_is_not_utf8_is_decoded_with_replacement_characters():
    # "/api/%ff" unquoted by the WSGI server: one byte 0xff, as latin-1.
    scope = make_scope(environ("/api/\xff"), "/api")
    assert scope["path"] == "/api/\ufffd"


def test_headers_keep_their_bytes():
    scope = make_scope(environ("/api/x", headers={"X-Name": "caf\xe9", "Content-Type": "text/plain"}), "/api")
    assert (b"x-name", b"caf\xe9") in scope["headers"]
    assert (b"content-type", b"text/plain") in scope["headers"]


def _leftover_app(events: list[str]) -> FastAPI:
    """Routes that leave tasks running on the loop after their response."""
    app = FastAPI()

    async def forever(name: str) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            events.append(f"{name} cancelled")
            raise

    async def soon(name: str) -> None:
        await asyncio.sleep(0.01)
        events.append(f"{name} done")

    def blocking(name: str) -> None:
        time.sleep(0.1)
        events.append(f"{name} thread done")

    async def respawning(name: str) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            asyncio.get_running_loop().create_task(forever(f"{name} child"))

    async def stubborn(name: str) -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                events.append(f"{name} refused")

    kinds = {
        "forever": forever,
        "soon": soon,
        "thread": lambda name: run_in_threadpool(blocking, name),
        "respawning": respawning,
        "stubborn": stubborn,
    }

    @app.get("/spawn/{kind}/{name}")
    async def spawn(kind: str, name: str) -> dict:
        asyncio.get_running_loop().create_task(kinds[kind](name))
        await asyncio.sleep(0)
        return {"ok": True}

    return app


def spawn(looped: LoopedApp, kind: str, name: str) -> int:
    return looped(make_scope(environ(f"/api/spawn/{kind}/{name}"), "/api"), b"").status


@pytest.fixture
def leftovers():
    events: list[str] = []
    looped = LoopedApp(_leftover_app(events), leftover_timeout=0.2)
    yield looped, events
    looped.close()


def test_tasks_left_running_finish_inside_the_call(leftovers):
    looped, events = leftovers
    assert spawn(looped, "soon", "a") == 200
    assert spawn(looped, "thread", "b") == 200
    # Finished before the call returned: inside the request's transaction.
    assert events == ["a done", "b thread done"]
    assert looped.reusable


def test_tasks_that_run_on_are_cancelled_inside_the_call(leftovers):
    looped, events = leftovers
    start = time.monotonic()
    assert spawn(looped, "forever", "first") == 200
    assert time.monotonic() - start < 1
    assert events == ["first cancelled"]
    assert not asyncio.all_tasks(looped.loop)
    assert spawn(looped, "forever", "second") == 200
    assert events == ["first cancelled", "second cancelled"]
    assert looped.reusable


def test_tasks_started_while_unwinding_are_settled_too(leftovers):
    looped, events = leftovers
    assert spawn(looped, "respawning", "parent") == 200
    assert events == ["parent child cancelled"]
    assert not asyncio.all_tasks(looped.loop)
    assert looped.reusable


def test_a_task_that_will_not_stop_makes_the_app_unusable(leftovers):
    looped, events = leftovers
    start = time.monotonic()
    assert spawn(looped, "stubborn", "mule") == 200
    assert time.monotonic() - start < 1
    assert events == ["mule refused"]
    assert not looped.reusable


@pytest.mark.parametrize("script_name", ["", "/odoo"])
def test_docs_pages_follow_the_script_name(script_name):
    app = FastAPI(title="Demo", docs_url=None, redoc_url=None)
    app.include_router(docs.router)
    for page, asset in (("docs", "swagger-ui/swagger-ui-bundle.js"), ("redoc", "redoc/redoc.standalone.js")):
        response = call(app, f"/{page}", script_name=script_name)
        assert response.status == 200
        html = response.body.decode()
        assert f"'{script_name}/api/openapi.json'" in html or f'"{script_name}/api/openapi.json"' in html
        assert f"{script_name}/fastapi/static/lib/{asset}" in html
