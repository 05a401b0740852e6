"""An independent OCPP charging station, written only from the OCPP JSON schemas and the OCA paper.

It exists to drive ``examples/csms.py`` as a black box (issue 11): it knows the CSMS only through
the wire (OCPP-J over WebSocket), the HTTP endpoints of ``/work/issues/11-contract.md`` (copied in
the docstrings where used) and the white paper "OCPP & QR code payment in Japan" (OCA, 2026),
section 2.2. It does not use the ``ocpp`` package's ChargePoint class: only the JSON schemas that
package ships (``ocpp/v201/schemas``, ``ocpp/v21/schemas``), against which every frame sent and
received is checked.

Modules, one job each:

- :mod:`.schemas`: the official JSON schemas as validators, per version, action and direction.
- :mod:`.framing`: OCPP-J frames (CALL / CALLRESULT / CALLERROR), parsed and built.
- :mod:`.device_model`: the station's components and variables (GetVariables, SetVariables,
  GetBaseReport, and ``QRCodeDisplay.Enabled`` on 2.0.1 as the white paper asks).
- :mod:`.station`: the station itself: boot, status, heartbeats, the QR payment trigger, display
  messages (each code checked with :func:`jpqr.validate` before it is shown), transactions with
  meter values, and hostile behaviour on demand.
- :mod:`.csms_process`: starts ``examples/csms.py`` as a subprocess and talks to its HTTP side.
"""

from tests.ocpp_station.framing import OCPP_VERSIONS
from tests.ocpp_station.station import ProtocolViolation, Station

__all__ = ["OCPP_VERSIONS", "ProtocolViolation", "Station"]
