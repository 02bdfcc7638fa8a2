# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from odoo import api, models


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _get_lang_from_accept_language(self, accept_language):
        """The installed language that best fits an Accept-Language header.

        ``fr-BE`` falls back on an installed ``fr_FR``; None when nothing fits.
        Not cached per header: clients choose the values, and made-up ones
        would push Odoo's own entries out of the cache. The installed
        languages are cached by Odoo, and the match costs tens of microseconds.
        """
        if not accept_language:
            return None
        accepted = parse_accept_header(accept_language, LanguageAccept)
        installed = [code for code, _name in self.get_installed()]
        best = accepted.best_match(installed)
        if best:
            return best
        # werkzeug only falls back from "fr-BE" to a server's "fr"; Odoo has
        # no bare "fr", so match on the primary subtag ourselves.
        by_primary = {}
        for code in installed:
            by_primary.setdefault(code.split("_")[0].lower(), code)
        for value, _quality in accepted:
            found = by_primary.get(value.replace("_", "-").split("-")[0].lower())
            if found:
                return found
        return None
