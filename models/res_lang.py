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

        The client's languages are taken by preference; the first with an
        installed language wins: the same code (``fr-BE`` is ``fr_BE``), else
        the first installed one of the same language (``fr-BE`` takes an
        installed ``fr_FR``): a client that prefers French is answered in
        French rather than in its second choice. None when nothing fits.
        Not cached per header: clients choose the values, and made-up ones
        would push Odoo's own entries out of the cache. The installed
        languages are cached by Odoo, and the match costs microseconds.
        """
        if not accept_language:
            return None
        installed = [code for code, _name in self.get_installed()]
        by_code = {code.lower(): code for code in installed}
        by_language = {}
        for code in installed:
            by_language.setdefault(_language(code), code)
        for value, quality in parse_accept_header(accept_language, LanguageAccept):
            if quality <= 0 or value == "*":
                continue
            found = by_code.get(value.replace("-", "_").lower()) or by_language.get(_language(value))
            if found:
                return found
        return None


def _language(code):
    return code.replace("-", "_").split("_")[0].lower()
