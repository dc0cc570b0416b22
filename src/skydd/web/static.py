"""Static files (stylesheet, the iframe resize scripts) with the pages' no-sniff rule."""

from __future__ import annotations

import os

from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope


class StaticAssets(StaticFiles):
    """Starlette's static files, served with ``X-Content-Type-Options: nosniff``.

    The embed script is loaded cross-origin by other sites, so no
    ``Cross-Origin-Resource-Policy`` is set here.
    """

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        """The file, with headers that forbid content sniffing."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
