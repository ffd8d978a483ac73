"""How the portal is served: uvicorn, with the proxy headers left to the portal.

uvicorn believes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from 127.0.0.1 (or from
``FORWARDED_ALLOW_IPS``) unless told not to; the portal decides instead, from its
configured ``[web] trusted_proxies`` (:func:`naptip.web.app.create_app`). A client can
therefore not pick its own address for the sign-in rate limit.
"""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp


def server_config(app: ASGIApp, *, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, proxy_headers=False,
                          forwarded_allow_ips="", log_level="warning", lifespan="off")
