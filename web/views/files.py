"""An attachment of a piece of evidence: downloaded, or viewed in a sandbox."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from naptip.store.blobs import TEXT_TYPES
from naptip.store.orm import Attachment
from naptip.web.access import Viewer
from naptip.web.context import VIEWABLE, Portal


async def download(portal: Portal, request: Request, viewer: Viewer) -> Response:
    found = await run_in_threadpool(portal.visible_evidence, viewer,
                                    request.path_params["eid"])
    if found is None:
        return portal.not_found(request, viewer)
    item, _row = found
    attachment = next((a for a in item.attachments
                       if a.id == request.path_params["aid"]), None)
    if attachment is None:
        return portal.not_found(request, viewer)
    return attachment_response(portal, attachment,
                               view=request.query_params.get("view") == "1")


def attachment_response(portal: Portal, attachment: Attachment, *, view: bool = False,
                        ) -> Response:
    """A stored document as a download, never sniffed as HTML. Images and PDFs may be
    viewed in the browser (``view``), in a sandbox that runs nothing."""
    media = ("text/plain; charset=utf-8" if attachment.media_type in TEXT_TYPES
             else attachment.media_type)
    inline = view and attachment.media_type in VIEWABLE
    path: Path = portal.service.blobs.path_of(attachment.sha256)
    response = FileResponse(path, media_type=media, filename=attachment.original_name,
                            content_disposition_type="inline" if inline else "attachment")
    if inline:  # enforced together with the portal's own policy
        response.headers["content-security-policy"] = "sandbox"
    return response
