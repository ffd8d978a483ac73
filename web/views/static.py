"""The portal's stylesheet (its pages load nothing else: no scripts, no images)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from naptip.web.context import Portal

#: the portal's one stylesheet (web/static/portal.css)
CSS = (Path(__file__).parent.parent / "static" / "portal.css").read_text(encoding="utf-8")


async def stylesheet(portal: Portal, request: Request) -> Response:
    return Response(CSS, media_type="text/css")
