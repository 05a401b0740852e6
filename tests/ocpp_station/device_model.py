"""The station's device model: components and variables (OCPP 2.0.1 / 2.1 part 1, B06-B08).

What a CSMS may read with GetVariables, write with SetVariables and receive in NotifyReport after
GetBaseReport. Beside the standard controllers it carries, on 2.0.1, the component the OCA paper
(section 2.2) asks for: ``QRCodeDisplay`` with ``Enabled = true``, which tells the CSMS that a
SetDisplayMessage whose ``display`` names ``QRCodeDisplay`` is rendered as a QR code.
``DisplayMessageCtrlr.SupportedFormats`` lists ``QRCODE`` on 2.1 only (MessageFormatEnumType has
it from 2.1 on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Variable:
    """One variable of one component (its Actual attribute only: what this station reports)."""

    component: str
    name: str
    value: str
    data_type: str  # DataEnumType
    mutability: str = "ReadOnly"  # MutabilityEnumType
    evse: int | None = None
    connector: int | None = None

    def component_type(self) -> dict[str, Any]:
        """The ComponentType of the schemas."""
        component: dict[str, Any] = {"name": self.component}
        if self.evse is not None:
            component["evse"] = {"id": self.evse}
            if self.connector is not None:
                component["evse"]["connectorId"] = self.connector
        return component

    def report_data(self) -> dict[str, Any]:
        """The ReportDataType of NotifyReport."""
        return {
            "component": self.component_type(),
            "variable": {"name": self.name},
            "variableAttribute": [
                {"type": "Actual", "value": self.value, "mutability": self.mutability}
            ],
            "variableCharacteristics": {"dataType": self.data_type, "supportsMonitoring": False},
        }


def _key(component: dict[str, Any], variable: dict[str, Any]) -> tuple[Any, ...]:
    evse = component.get("evse") or {}
    return (
        component.get("name"),
        evse.get("id"),
        evse.get("connectorId"),
        component.get("instance"),
        variable.get("name"),
        variable.get("instance"),
    )


class DeviceModel:
    """The variables of one station.

    >>> model = DeviceModel("2.0.1", evses=(1, 2), qr_code_display=True)
    >>> model.get({"name": "QRCodeDisplay"}, {"name": "Enabled"})
    ('Accepted', 'true')
    >>> model.get({"name": "QRCodeDisplay"}, {"name": "Colour"})
    ('UnknownVariable', None)
    """

    def __init__(
        self,
        version: str,
        evses: tuple[int, ...],
        qr_code_display: bool | None,
        heartbeat_interval: int = 300,
        formats: str | None = None,
    ) -> None:
        if formats is None:
            formats = "ASCII,UTF8,QRCODE" if version == "2.1" else "ASCII,UTF8"
        items = [
            Variable("ChargingStation", "Available", "true", "boolean"),
            Variable("ChargingStation", "Model", "schema-only-station", "string"),
            Variable("ChargingStation", "VendorName", "jpqr tests", "string"),
            Variable("DisplayMessageCtrlr", "Enabled", "true", "boolean", "ReadWrite"),
            Variable("DisplayMessageCtrlr", "Available", "true", "boolean"),
            Variable("DisplayMessageCtrlr", "DisplayMessages", "8", "integer"),
            Variable("DisplayMessageCtrlr", "SupportedFormats", formats, "MemberList"),
            Variable(
                "DisplayMessageCtrlr",
                "SupportedPriorities",
                "AlwaysFront,InFront,NormalCycle",
                "MemberList",
            ),
            Variable(
                "OCPPCommCtrlr",
                "HeartbeatInterval",
                str(heartbeat_interval),
                "integer",
                "ReadWrite",
            ),
        ]
        if qr_code_display is not None:
            # OCA paper 2.2: "a device model component QRCodeDisplay with a variable Enabled".
            items.append(
                Variable(
                    "QRCodeDisplay", "Enabled", str(qr_code_display).lower(), "boolean", "ReadWrite"
                )
            )
        for evse in evses:
            items.append(Variable("EVSE", "Available", "true", "boolean", evse=evse))
            items.append(
                Variable("Connector", "Available", "true", "boolean", evse=evse, connector=1)
            )
        self.variables = {_key(v.component_type(), {"name": v.name}): v for v in items}

    def _find(
        self, component: dict[str, Any], variable: dict[str, Any]
    ) -> tuple[str, Variable | None]:
        found = self.variables.get(_key(component, variable))
        if found is not None:
            return "Accepted", found
        names = {(v.component, v.evse, v.connector) for v in self.variables.values()}
        evse = component.get("evse") or {}
        known = (component.get("name"), evse.get("id"), evse.get("connectorId")) in names
        return ("UnknownVariable" if known else "UnknownComponent"), None

    def get(
        self, component: dict[str, Any], variable: dict[str, Any], attribute: str = "Actual"
    ) -> tuple[str, str | None]:
        """(GetVariableStatusEnumType, value) of one GetVariableData."""
        status, found = self._find(component, variable)
        if found is None:
            return status, None
        if attribute != "Actual":
            return "NotSupportedAttributeType", None
        return "Accepted", found.value

    def set(
        self, component: dict[str, Any], variable: dict[str, Any], value: str, attribute: str
    ) -> str:
        """SetVariableStatusEnumType of one SetVariableData; writes the value when Accepted."""
        status, found = self._find(component, variable)
        if found is None:
            return status
        if attribute != "Actual":
            return "NotSupportedAttributeType"
        if found.mutability == "ReadOnly":
            return "Rejected"
        if found.data_type == "boolean" and value not in ("true", "false"):
            return "Rejected"
        if found.data_type == "integer" and not value.lstrip("-").isdigit():
            return "Rejected"
        found.value = value
        return "Accepted"

    def value(self, component: str, name: str) -> str | None:
        """The Actual value of a station-wide variable, or None."""
        found = self.variables.get((component, None, None, None, name, None))
        return None if found is None else found.value

    def report(self, base: str) -> list[dict[str, Any]]:
        """ReportDataType entries for GetBaseReport ``reportBase``."""
        chosen = list(self.variables.values())
        if base == "ConfigurationInventory":
            chosen = [v for v in chosen if v.mutability != "ReadOnly"]
        elif base == "SummaryInventory":
            chosen = [v for v in chosen if v.name == "Available"]
        return [v.report_data() for v in chosen]
