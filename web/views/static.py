"""The portal's stylesheet (its pages load nothing else: no scripts, no images)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from naptip.web.context import Portal

CSS = """body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:0 1rem;
line-height:1.45}nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:.6rem 0;
border-bottom:1px solid #ccc}nav form{display:inline;margin:0}
.error{color:#a00;font-weight:600}.notice{background:#eef7ee;padding:.5rem}
label{display:block;margin-top:.7rem;font-weight:600}input,textarea,select{max-width:100%;
font-size:1rem}textarea{width:100%}fieldset{margin-top:.7rem}li{margin:.3rem 0}
progress{width:12rem}table{border-collapse:collapse}td,th{padding:.2rem .5rem;
text-align:left;border-bottom:1px solid #eee}.id{font-family:monospace}
"""


async def stylesheet(portal: Portal, request: Request) -> Response:
    return Response(CSS, media_type="text/css")
