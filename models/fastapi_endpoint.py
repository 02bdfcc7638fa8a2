# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.middleware import Middleware
from starlette.routing import Mount

from odoo import SUPERUSER_ID, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL, convert

from .. import dependencies, docs, documenting_dependencies, error_handlers, routing_signal
from ..app_routes import Baker, ServedFastAPI
from ..context import ContextProvided
from ..dispatcher import EndpointRoute, app_pool, prune_pool
from ..engine.cors import CorsPolicy
from ..openapi_answers import document_error_answers
from ..routing import (
    RoutingTable,
    app_route_taken,
    first_matching_root,
    normalize_root_path,
    root_path_problem,
    shadows,
)

_logger = logging.getLogger(__name__)


@contextmanager
def _thread_named_after(dbname: str) -> Iterator[None]:
    # ir.http.routing_map finds its registry by the current thread's dbname,
    # which only Odoo's server and test runner set: a Registry(db) script or
    # pytest-odoo creating an endpoint would fail in the root path check.
    thread = threading.current_thread()
    had_one, previous = "dbname" in thread.__dict__, thread.__dict__.get("dbname")
    thread.dbname = dbname
    try:
        yield
    finally:
        if had_one:
            thread.dbname = previous
        else:
            del thread.dbname


class FastapiEndpoint(models.Model):
    _name = "fastapi.endpoint"
    _description = "FastAPI Endpoint"
    _order = "root_path"

    name = fields.Char(required=True, help="The title of the API in its docs.")
    description = fields.Text(help="Shown in the API docs (Markdown).")
    app = fields.Selection(selection=[], required=True)
    root_path = fields.Char(
        required=True,
        index=True,
        help="The app's routes answer under this path, e.g. /api/v1.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Run as",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("base.public_user", raise_if_not_found=False),
        help="The user whose rights the app runs with.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        help="The company of the app's environment; the user's by default.",
    )
    active = fields.Boolean(default=True)
    save_http_session = fields.Boolean(
        help="Keep an Odoo HTTP session (and its cookie) across calls.",
    )
    force_readwrite = fields.Boolean(
        string="Read-write for all methods",
        help="GET, HEAD and OPTIONS requests run on a read-only cursor by "
        "default; tick this for apps whose safe methods write.",
    )
    registry_sync = fields.Boolean(
        default=True,
        help="Kept for addons and data written for the OCA FastAPI addon: a "
        "change takes effect when its transaction commits, no sync is needed.",
    )
    route_group = fields.Char(size=32, help="Kept for the OCA FastAPI addon's data: a label, unused.")
    app_version = fields.Integer(
        readonly=True,
        copy=False,
        default=lambda self: self._next_app_version(),
        help="Changed by every change that requires rebuilding the app.",
    )
    docs_url = fields.Char(compute="_compute_urls")
    redoc_url = fields.Char(compute="_compute_urls")
    openapi_url = fields.Char(compute="_compute_urls")
    pool_stats = fields.Text(
        compute="_compute_pool_stats",
        groups="fastapi.group_fastapi_manager",
        help="App pool counters of the server process that rendered this page.",
    )

    _root_path_unique = models.Constraint(
        "UNIQUE(root_path)",
        "Another endpoint already uses this root path.",
    )

    @api.constrains("user_id", "company_id")
    def _check_user_id(self):
        for endpoint in self:
            if endpoint.user_id.id == SUPERUSER_ID:
                # Odoo runs uid 1 in superuser mode: no access right, no record rule.
                raise ValidationError(
                    self.env._("An endpoint cannot run as the superuser: it would bypass every access right.")
                )
            if endpoint.company_id and endpoint.company_id not in endpoint.user_id.sudo().company_ids:
                raise ValidationError(
                    self.env._(
                        "The company of endpoint %(name)s is not one of its user's companies.", name=endpoint.name
                    )
                )

    @api.constrains("root_path", "app", "active")
    def _check_root_path(self):
        for endpoint in self:
            self._check_root_path_value(endpoint.root_path)
            endpoint._check_root_path_nesting()

    @api.model
    def _check_root_path_value(self, root_path: str) -> None:
        problem = root_path_problem(root_path)
        if problem:
            raise ValidationError(
                self.env._("Invalid root path %(path)s: %(problem)s", path=root_path, problem=problem)
            )
        shadowed = next((route for route in self._get_odoo_routes() if shadows(root_path, route)), None)
        if shadowed:
            raise ValidationError(
                self.env._(
                    "Invalid root path %(path)s: it would hide Odoo's route %(route)s",
                    path=root_path,
                    route=shadowed,
                )
            )

    def _check_root_path_nesting(self) -> None:
        """Refuse a root path inside the routes of another endpoint's app, or the reverse.

        The longest root path wins (see routing.py): ``/fastapi_demo/demo``
        would take the demo's own ``/demo/...`` routes away from it.
        """
        self.ensure_one()
        if not self.active:
            return
        root = self.root_path
        parts = root.split("/")
        ancestors = ["/".join(parts[:depth]) for depth in range(2, len(parts))]
        domain = [("id", "!=", self.id), "|", ("root_path", "in", ancestors), ("root_path", "=like", f"{root}/%")]
        for other in self.sudo().search(domain):
            if root.startswith(other.root_path + "/"):
                outer, inner = other, self
            else:
                outer, inner = self, other
            taken = app_route_taken(inner.root_path[len(outer.root_path) :], outer._get_app_route_paths())
            if taken:
                raise ValidationError(
                    self.env._(
                        "Invalid root path %(path)s: endpoint %(inner)s at %(inner_path)s would take the URLs of "
                        "route %(route)s away from endpoint %(outer)s at %(outer_path)s.",
                        path=root,
                        inner=inner.name,
                        inner_path=inner.root_path,
                        route=taken,
                        outer=outer.name,
                        outer_path=outer.root_path,
                    )
                )

    def _get_app_route_paths(self) -> list[str]:
        paths = []
        for route in self._get_app().routes:
            if isinstance(route, Mount):
                paths.append(route.path + "/{path:path}")
            elif hasattr(route, "path"):
                paths.append(route.path)
        return paths

    @api.depends("user_id")
    def _compute_company_id(self):
        for endpoint in self:
            endpoint.company_id = endpoint.user_id.company_id

    @api.depends("root_path")
    def _compute_urls(self):
        for endpoint in self:
            root = endpoint.root_path or ""
            endpoint.docs_url = f"{root}/docs"
            endpoint.redoc_url = f"{root}/redoc"
            endpoint.openapi_url = f"{root}/openapi.json"

    def _compute_pool_stats(self):
        stats = app_pool.stats()
        for endpoint in self:
            key = [self.env.cr.dbname, endpoint.root_path]
            mine = [entry for entry in stats["keys"] if entry["key"] == key]
            endpoint.pool_stats = json.dumps({**stats, "keys": mine}, indent=2)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._clean_vals(vals)
        endpoints = super().create(vals_list)
        self._signal_routing_change()
        return endpoints

    def write(self, vals):
        self._clean_vals(vals)
        res = super().write(vals)
        changed = set(vals) & set(self._fastapi_app_fields() + list(self._routing_impacting_fields()))
        if changed and self:
            self._bump_app_version()
            self._signal_routing_change()
            _logger.info(
                "FastAPI endpoints %s changed (%s): their apps will be rebuilt", self.ids, ", ".join(sorted(changed))
            )
        return res

    def unlink(self):
        res = super().unlink()
        self._signal_routing_change()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for endpoint, vals in zip(self, vals_list, strict=True):
            if "root_path" not in (default or {}):
                vals["root_path"] = f"{endpoint.root_path}-copy"
        return vals_list

    # Extension hooks: the names and meaning of the OCA fastapi addon, so that
    # addons written for it work unchanged.

    @api.model
    def _fastapi_app_fields(self) -> list[str]:
        """Fields whose change requires rebuilding the endpoint's app."""
        return ["name", "description", "app", "company_id"]

    @api.model
    def _routing_impacting_fields(self) -> tuple[str, ...]:
        """Fields whose change alters which requests reach the app, or how."""
        return ("root_path", "active", "user_id", "save_http_session", "force_readwrite")

    def _get_fastapi_routers(self) -> list[APIRouter]:
        return []

    def _get_fastapi_app_middlewares(self) -> list[Middleware]:
        return []

    def _get_fastapi_app_dependencies(self) -> list[Depends]:
        return [Depends(dependencies.accept_language)]

    def _prepare_fastapi_app_params(self) -> dict[str, Any]:
        return {
            "title": self.name,
            "description": self.description or "",
            "middleware": self._get_fastapi_app_middlewares(),
            "dependencies": self._get_fastapi_app_dependencies(),
            # The docs pages are served by docs.py, with local assets.
            "docs_url": None,
            "redoc_url": None,
            "openapi_url": "/openapi.json",
        }

    def _get_app_dependencies_overrides(self) -> dict[Callable, Callable]:
        # The endpoint's id and company are there for code written for the
        # OCA API, which finds them in the app's overrides. The request's
        # context already provides both (see context.py): they are not
        # written into the routes.
        return {
            dependencies.fastapi_endpoint_id: ContextProvided(_identity, self.id),
            dependencies.company_id: ContextProvided(_identity, self.company_id.id or None),
        }

    def _get_app(self) -> FastAPI:
        self.ensure_one()
        overrides = self._get_app_dependencies_overrides()
        # The overrides are written into the app's routes once, here, rather
        # than applied by FastAPI on each request: see app_routes.py.
        baker = Baker({k: v for k, v in overrides.items() if not isinstance(v, ContextProvided)})
        params = self._prepare_fastapi_app_params()
        baked = [baker.depends(dep) for dep in params.get("dependencies") or []]
        params["dependencies"], documenting = documenting_dependencies.split(baked)
        app = ServedFastAPI(**params)
        app.openapi_documenters = (
            documenting_dependencies.documenter(app.routes, documenting),
            document_error_answers,
        )
        for router in [*self._get_fastapi_routers(), docs.router]:
            baker.include(app, router)
        app.dependency_overrides.update(overrides)
        app.baked_overrides = dict(app.dependency_overrides)
        error_handlers.add_exception_handlers(app)
        return app

    @api.model
    def get_app(self, root_path: str) -> FastAPI | None:
        """A new app for the endpoint serving ``root_path`` (not a pooled one)."""
        endpoint = self._get_endpoint(root_path)
        return endpoint.sudo()._get_app() if endpoint else None

    @api.model
    def get_uid(self, root_path: str) -> int | None:
        route = self._get_routing_table().match(root_path)
        return route.uid if route else None

    @api.model
    def _get_endpoint(self, path: str):
        """The active endpoint whose root path serves ``path``, or None."""
        route = self._get_routing_table().match(path)
        return self.browse(route.endpoint_id) if route else None

    @api.model
    def _find_first_matching_url_path(self, paths: Iterable[str], prefix: str) -> str | None:
        """Of ``paths``, the deepest root path that serves the URL ``prefix``."""
        return first_matching_root(paths, prefix)

    # Names of the OCA addon's registry sync. Routes and apps here follow
    # committed changes by themselves: there is nothing to synchronise.

    def action_sync_registry(self):
        self.filtered(lambda endpoint: not endpoint.registry_sync).write({"registry_sync": True})

    def _handle_registry_sync(self, record_ids=None):
        """Nothing to do: every worker serves a committed change on its next request."""

    def _reset_app(self):
        """Have every worker and server build the endpoints' apps again."""
        self._bump_app_version()
        self._signal_routing_change()

    # Demo data, for tests written for the OCA addon that load it on demand.

    @api.model
    def has_demo_data(self) -> bool:
        return bool(self.env.ref("fastapi.fastapi_endpoint_demo", raise_if_not_found=False))

    @api.model
    def _load_demo_data(self) -> None:
        if not self.has_demo_data():
            convert.convert_file(self.env, "fastapi", "demo/fastapi_endpoint_demo.xml", None, mode="init")

    def init(self):
        # The app version comes from a sequence, not a counter: nextval() is
        # never rolled back, so a version number seen by an aborted
        # transaction is never reused. Triggers keep versions and the routing
        # signal right for every writer, not only the ORM: see routing_signal.
        routing_signal.install(self.env.cr, self._get_app_version_columns())

    @api.model
    def _get_app_version_columns(self) -> list[str]:
        """The columns whose change gives an endpoint a new app version."""
        names = [*self._fastapi_app_fields(), *self._routing_impacting_fields()]
        fields_ = self._fields
        return [name for name in names if name in fields_ and fields_[name].store and fields_[name].column_type]

    # Routing

    @api.model
    def _get_routing_table(self) -> RoutingTable:
        registry = self.env.registry
        if "routing" in registry.cache_invalidated:
            # This transaction changed endpoints and has not committed: what
            # it sees must stay out of the process-wide cache and app pool.
            return self._build_routing_table(pooled=False)
        slot = self._get_routing_slot()
        known = registry.cache_sequences.get("routing")
        cached = slot.entry
        if cached is not None and (known is None or cached[0] >= known):
            return cached[1]
        # On a threaded server, a request whose snapshot predates a change
        # can get here after another request saw the change's signal and
        # cleared the cache: a table is kept only if its snapshot is at least
        # as new as the last signal this process knows of.
        table = self._build_routing_table(pooled=True)
        signal = self._get_routing_signal()
        if known is None or signal >= known:
            slot.entry = (signal, table)
            prune_pool(self.env.cr.dbname, table)
        return table

    @api.model
    @tools.ormcache(cache="routing")
    def _get_routing_slot(self) -> "_RoutingSlot":
        # Emptied with the "routing" cache; filled by _get_routing_table.
        return _RoutingSlot()

    @api.model
    def _get_routing_signal(self) -> int:
        """The routing signal of this transaction's snapshot."""
        self.env.cr.execute("SELECT max(id) FROM orm_signaling_routing")
        return self.env.cr.fetchone()[0] or 0

    @api.model
    def _build_routing_table(self, pooled: bool) -> RoutingTable:
        # One query: this runs in the first request of every worker after any
        # routing change, and that request should cost little more than others.
        self.flush_model()
        self.env["res.users"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["lang", "tz"])
        # The aliases are EndpointRoute's field names.
        self.env.cr.execute(
            SQL(
                """
                SELECT e.id AS endpoint_id, e.root_path, e.app_version, e.user_id AS uid,
                       e.company_id, COALESCE(e.save_http_session, FALSE) AS save_session,
                       COALESCE(e.force_readwrite, FALSE) AS force_readwrite, p.lang, p.tz,
                       e.cors_allowed_origins, e.cors_allowed_methods, e.cors_allowed_headers
                  FROM fastapi_endpoint e
                  JOIN res_users u ON u.id = e.user_id
                  JOIN res_partner p ON p.id = u.partner_id
                 WHERE e.active
                """
            )
        )
        routes = [_endpoint_route(row, pooled) for row in self.env.cr.dictfetchall()]
        return RoutingTable({route.root_path: route for route in routes})

    @api.model
    def _get_odoo_routes(self) -> list[str]:
        with _thread_named_after(self.env.cr.dbname):
            routing_map = self.env["ir.http"].routing_map()
        return [rule.rule for rule in routing_map.iter_rules()]

    @api.model
    def _clean_vals(self, vals: dict) -> None:
        if vals.get("root_path"):
            vals["root_path"] = normalize_root_path(vals["root_path"])

    @api.model
    def _next_app_version(self) -> int:
        self.env.cr.execute("SELECT nextval('fastapi_endpoint_app_version_seq')")
        return self.env.cr.fetchone()[0]

    def _bump_app_version(self) -> None:
        self.flush_recordset()
        self.env.cr.execute(
            "UPDATE fastapi_endpoint SET app_version = nextval('fastapi_endpoint_app_version_seq') WHERE id IN %s",
            [tuple(self.ids)],
        )
        self.invalidate_recordset(["app_version"])

    def _signal_routing_change(self) -> None:
        # Cleared now for this transaction, and again once it commits: a
        # request of this process may have cached the old table in between.
        registry = self.env.registry
        registry.clear_cache("routing")
        self.env.cr.postcommit.add(lambda: registry.clear_cache("routing"))


def _endpoint_route(row: dict[str, Any], pooled: bool) -> EndpointRoute:
    cors = CorsPolicy.parse(
        row.pop("cors_allowed_origins"), row.pop("cors_allowed_methods"), row.pop("cors_allowed_headers")
    )
    return EndpointRoute(**row, pooled=pooled, cors=cors)


class _RoutingSlot:
    """The committed routing table of a process and the signal it was built at."""

    __slots__ = ("entry",)

    def __init__(self) -> None:
        # One attribute, replaced whole: threads read it without a lock.
        self.entry: tuple[int, RoutingTable] | None = None


def _identity(value: Any) -> Any:
    return value
