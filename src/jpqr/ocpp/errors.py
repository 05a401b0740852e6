"""The error raised by :mod:`jpqr.ocpp`: a :class:`jpqr.JPQRError` with an ``ocpp.*`` code.

Not to be confused with ``ocpp.exceptions.OCPPError`` of the ``ocpp`` package (a protocol
CallError): this one says that jpqr refuses to build or read a message, before anything is sent.

>>> err = OCPPError("ocpp.content_too_long", "content has 513 characters, the limit is 512")
>>> err.code, isinstance(err, ValueError)
('ocpp.content_too_long', True)
"""

from __future__ import annotations

from ..errors import JPQRError

__all__ = ["OCPPError"]


class OCPPError(JPQRError):
    """A payment code or OCPP message that jpqr refuses to send or accept (code ``ocpp.*``)."""
