"""``naptip doctor``'s look at the mail: without ``[mail]`` digests stay in the outbox.
Registered under the ``naptip.doctor`` entry points."""

from __future__ import annotations

from urllib.parse import urlsplit

from naptip.base.config import load_settings
from naptip.work.doctor import Checked, Setup


def check_mail(setup: Setup) -> Checked:
    mail = load_settings(environ=setup.environ).mail  # a broken file: a problem line
    if mail is None:
        return Checked("mail", warnings=(
            "[mail] not set: digests stay in the outbox (naptip outbox list)",))
    host = urlsplit(mail.url).hostname or "?"  # never the user or password
    return Checked("mail", detail=f"digests sent by e-mail through {host}")
