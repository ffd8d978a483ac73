"""Who can use the Prefect API: probed over plain HTTP (no ``import prefect``).

Whoever can call the API of a Prefect server can create a deployment whose steps run any
command on every worker of its pools, with the worker's environment (the store's URL, the
mail secrets). A server is safe when it refuses unauthenticated requests (Prefect's
``PREFECT_SERVER_API_AUTH_STRING``, or a proxy in front of it that asks for credentials),
or when nothing but this machine can reach it. ``probe`` finds out which it is; ``verdict``
turns that into what ``naptip serve``/``deploy``/``doctor`` say.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: an API call that changes nothing and that Prefect protects like every other one
_PROBE_PATH = "/admin/version"
DOC = "docs/deployment.md#securing-the-prefect-api"


@dataclass(frozen=True)
class ApiAccess:
    """What the probe found about the API at ``url``."""

    url: str
    answers: bool  #: its health check answers
    open: bool  #: a request without credentials was accepted
    ours: bool | None  #: our credentials were accepted (None: we have none)
    exposed: bool  #: reachable from other machines (not only on loopback)


def status_of(url: str, auth: str | None = None, *, path: str = _PROBE_PATH,
              timeout: float = 3.0) -> int | None:
    """The HTTP status of ``GET url+path`` (with Basic ``auth`` when given); None when
    nothing answers."""
    request = urllib.request.Request(f"{url.rstrip('/')}{path}")
    if auth:
        token = base64.b64encode(auth.encode("utf-8")).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def own_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (the routes out, and its name's)."""
    found: list[str] = []
    for target in ("192.0.2.1", "10.255.255.255", "172.16.255.255", "192.168.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((target, 1))  # UDP: no packet is sent, the route is chosen
                found.append(str(s.getsockname()[0]))
            except OSError:
                continue
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not is_loopback(a) and a != "0.0.0.0"]


def _at(url: str, host: str) -> str:
    parts = urlsplit(url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def probe(url: str, auth: str | None, *, timeout: float = 3.0) -> ApiAccess:
    """Ask the API at ``url`` with and without credentials; for a loopback URL, also
    whether the same server answers on this machine's other addresses."""
    answers = status_of(url, path="/health", timeout=timeout) == 200
    if not answers:
        return ApiAccess(url=url, answers=False, open=False, ours=None, exposed=False)
    opened = status_of(url, timeout=timeout) == 200
    ours = None if not auth else status_of(url, auth, timeout=timeout) == 200
    host = urlsplit(url).hostname or ""
    exposed = not is_loopback(host) or any(
        status_of(_at(url, address), path="/health", timeout=1.0) == 200
        for address in own_addresses())
    return ApiAccess(url=url, answers=True, open=opened, ours=ours, exposed=exposed)


@dataclass(frozen=True)
class Verdict:
    error: str | None = None  #: refuse to use this API
    warning: str | None = None  #: use it, but say this


def verdict(access: ApiAccess) -> Verdict:
    """What to say about an API that answers: refuse it, warn, or nothing."""
    where = access.url
    if not access.open:
        if access.ours is None:
            return Verdict(error=f"the Prefect API at {where} asks for credentials: set "
                           "PREFECT_API_AUTH_STRING to the server's "
                           "PREFECT_SERVER_API_AUTH_STRING")
        if not access.ours:
            return Verdict(error=f"the Prefect API at {where} refuses PREFECT_API_AUTH_STRING:"
                           " it must equal the server's PREFECT_SERVER_API_AUTH_STRING")
        return Verdict()
    if access.exposed:
        return Verdict(error=f"the Prefect API at {where} accepts requests without "
                       "credentials from other machines: anyone who reaches it can run code "
                       "on every worker; set PREFECT_SERVER_API_AUTH_STRING on the server "
                       f"and PREFECT_API_AUTH_STRING here ({DOC})")
    return Verdict(warning=f"warning: the Prefect API at {where} accepts requests without "
                   "credentials: any user of this machine can run code as its workers; set "
                   "PREFECT_SERVER_API_AUTH_STRING on the server and PREFECT_API_AUTH_STRING "
                   f"here ({DOC})")


def naptip_deployments(url: str, auth: str | None, *, timeout: float = 5.0,
                       ) -> list[dict[str, Any]] | None:
    """naptip's deployments on the server (tag ``naptip``), as the API gives them; None
    when the API cannot tell."""
    body = json.dumps({"deployments": {"tags": {"all_": ["naptip"]}}, "limit": 200})
    request = urllib.request.Request(f"{url.rstrip('/')}/deployments/filter",
                                     data=body.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    if auth:
        token = base64.b64encode(auth.encode("utf-8")).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            found = json.loads(reply.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else None


def pooled_deployments(url: str, auth: str | None, *, timeout: float = 5.0,
                       ) -> list[str] | None:
    """naptip's deployments on the server that run on a work pool's workers (``naptip
    deploy``), as "flow-id/name@pool"; None when the API cannot tell."""
    found = naptip_deployments(url, auth, timeout=timeout)
    if found is None:
        return None
    return [f"{d.get('name')}@{d['work_pool_name']}" for d in found
            if d.get("work_pool_name")]


def deployments_by_plan(found: list[dict[str, Any]]) -> str:
    """One phrase: how many of naptip's active deployments work for each plan (their
    ``plan`` parameter), ``daily-run`` for every plan, those made before plans were data,
    and how many are paused (``naptip.flows.serve.pause_unplanned``)."""
    counts: dict[str, int] = {}
    daily = unplanned = paused = 0
    for d in found:
        if d.get("paused"):
            paused += 1
            continue
        parameters = d.get("parameters") if isinstance(d.get("parameters"), dict) else {}
        plan = parameters.get("plan") if parameters else None
        if not parameters or "duty" not in parameters:
            daily += 1
        elif isinstance(plan, str) and plan:
            counts[plan] = counts.get(plan, 0) + 1
        else:
            unplanned += 1
    parts = [f"{n} for {plan}" for plan, n in sorted(counts.items())]
    if daily:
        parts.insert(0, f"{daily} daily-run (every plan)")
    if unplanned:
        parts.append(f"{unplanned} without a plan (the default's: deploy or serve again)")
    if paused:
        parts.append(f"{paused} paused")
    return ", ".join(parts) if parts else "none"
