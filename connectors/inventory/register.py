"""Reading a real asset register export (CSV): Norwegian or English headers, `;` or `,`, UTF-8 or
Windows-1252, dates as `dd.mm.yyyy` or ISO. Every bad row becomes an ``InventoryProblem``; only a file
that cannot be read at all (missing, no usable header) raises ``InventoryError``."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from core.ports import Device, DeviceStatus, InventoryError, InventoryProblem

# canonical column -> the header spellings accepted (after lower-casing, spaces and hyphens -> "_")
COLUMNS: dict[str, tuple[str, ...]] = {
    "device_id": ("device_id", "enhet_id", "enhetsid", "maskin_id", "maskinnavn", "asset_id", "device_name"),
    "serial": ("serial", "serial_number", "serienummer", "serienr"),
    "model": ("model", "modell"),
    "purchase_date": ("purchase_date", "innkjøpsdato", "innkjopsdato", "kjøpsdato", "kjopsdato", "kjøpt"),
    "user_upn": ("user_upn", "upn", "bruker", "bruker_upn", "user", "e_post", "epost"),
    "user_name": ("user_name", "navn", "bruker_navn", "fullt_navn"),
    "user_id": ("user_object_id", "user_id", "bruker_id", "objekt_id", "entra_id", "aad_id"),
    "municipality": ("municipality", "kommune"),
    "department": ("department", "avdeling", "arbeidssted"),
    "manager_upn": ("manager_upn", "manager", "leder", "leder_upn", "nærmeste_leder", "naermeste_leder"),
    "manager_name": ("manager_name", "leder_navn"),
    "status": ("status", "device_status", "maskinstatus", "enhetsstatus"),
    "user_status": ("user_status", "bruker_status", "ansattstatus", "ansatt_status"),
}
REQUIRED = ("model", "purchase_date", "user_upn")
DEVICE_STATUSES = {
    DeviceStatus.IN_USE: ("", "i bruk", "aktiv", "in use", "active", "utlevert"),
    DeviceStatus.ORDERED: ("bestilt", "ordered", "bytte bestilt"),
    DeviceStatus.APPROVED: ("godkjent", "approved", "bytte godkjent"),
    DeviceStatus.RETIRED: ("kassert", "utfaset", "innlevert", "retired", "scrapped", "tapt", "stjålet"),
}
LEFT_STATUSES = ("sluttet", "slutta", "left", "deaktivert", "inactive", "disabled", "permisjon uten lønn avsluttet")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y", "%Y.%m.%d")


@dataclass(frozen=True)
class RegisterRow:
    """One usable register line: the device and what the register says about its user."""

    device: Device
    user_name: str
    user_active: bool
    manager_name: str


@dataclass
class Register:
    rows: list[RegisterRow]
    problems: list[InventoryProblem]
    source: str


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower().lstrip("\ufeff"))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # a register saved from Excel on Norwegian Windows


def parse_date(text: str) -> date | None:
    value = text.strip().split(" ")[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def municipality_named(text: str, domains: dict[str, str]) -> str | None:
    """The municipality key a name means ("Molde kommune", "MOLDE"); None when empty or unknown."""
    name = re.sub(r"\s*kommune$", "", text.strip().lower())
    return name if name in set(domains.values()) else None


def municipality_of(text: str, upn: str, domains: dict[str, str]) -> str | None:
    """The municipality key from the register's column, else the UPN domain."""
    return municipality_named(text, domains) or municipality_of_domain(upn, domains)


def municipality_of_domain(upn: str, domains: dict[str, str]) -> str | None:
    domain = upn.rpartition("@")[2].lower()
    while domain:
        if domain in domains:
            return domains[domain]
        domain = domain.partition(".")[2]
    return None


def _device_status(text: str) -> DeviceStatus | None:
    value = text.strip().lower()
    for status, spellings in DEVICE_STATUSES.items():
        if value in spellings:
            return status
    return None


def flag_duplicates(devices: list[Device]) -> tuple[list[Device], list[InventoryProblem]]:
    """One serial number = one PC. Exact repeats (same user) keep the first row; a serial on several
    users is skipped on every row until the register is corrected (a card to the wrong person is
    worse than a late one)."""
    by_serial: dict[str, list[Device]] = defaultdict(list)
    for device in devices:
        by_serial[device.serial.upper()].append(device)
    kept: list[Device] = []
    problems: list[InventoryProblem] = []
    for group in by_serial.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        rows = ", ".join(str(device.source_row) if device.source_row else device.id for device in group)
        if len({device.user_upn for device in group}) == 1:
            kept.append(group[0])
            problems += [
                InventoryProblem(device.source_row, device.id, "duplicate_row",
                                 f"Serienummer {device.serial} står flere ganger på samme bruker (rad {rows}); "
                                 "første rad brukes.", True, device.municipality, device.serial)
                for device in group[1:]
            ]
        else:
            users = ", ".join(sorted({device.user_upn or "(ingen)" for device in group}))
            problems += [
                InventoryProblem(device.source_row, device.id, "duplicate_serial",
                                 f"Serienummer {device.serial} er registrert på flere brukere ({users}; rad {rows}). "
                                 "Hoppes over til registeret er rettet.", True, device.municipality, device.serial)
                for device in group
            ]
    kept.sort(key=lambda device: device.source_row)
    return kept, problems


def read_register(path: Path, domains: dict[str, str], *, today: date) -> Register:
    """Parse the register file. ``today`` rejects purchase dates in the future."""
    try:
        text = _decode(path.read_bytes())
    except OSError as error:
        raise InventoryError(f"kan ikke lese maskinregisteret {path}: {error.strerror or error}") from error
    return parse_register(text, domains, today=today, source=str(path))


class _Line:
    """One register line being read; its problems go to the register's list."""

    def __init__(self, number: int, fields: list[str], columns: dict[str, int], domains: dict[str, str],
                 problems: list[InventoryProblem]) -> None:
        self.number = number
        self._fields = fields
        self._columns = columns
        self._problems = problems
        self.label = self.value("device_id") or self.value("serial") or f"rad {number}"
        named = municipality_named(self.value("municipality"), domains)
        self.named_unknown = bool(self.value("municipality")) and named is None  # a name the register got wrong
        self.municipality = named or municipality_of_domain(self.value("user_upn").lower(), domains)

    def value(self, name: str) -> str:
        index = self._columns.get(name)
        return self._fields[index].strip() if index is not None and index < len(self._fields) else ""

    def problem(self, code: str, detail: str, *, skipped: bool = True) -> None:
        self._problems.append(InventoryProblem(self.number, self.label, code, detail, skipped, self.municipality,
                                               self.value("serial") or self.value("device_id")))

    def device(self, today: date) -> Device | None:
        """The device on this line, or None (with the reason recorded) when the line cannot be used."""
        serial = self.value("serial") or self.value("device_id")
        if not serial:
            return self.problem("missing_serial", "Mangler serienummer og enhets-id.")
        upn = self.value("user_upn").lower()
        if not upn:
            return self.problem("missing_user", "Ingen bruker registrert på PC-en (lager, fellesmaskin eller feil i "
                                                "registeret).")
        if "@" not in upn:
            return self.problem("invalid_user", f"Brukeren «{self.value('user_upn')}» er ikke en e-postadresse/UPN.")
        raw_date = self.value("purchase_date")
        if not raw_date:
            return self.problem("missing_date", "Mangler innkjøpsdato; alderen er ukjent.")
        purchased = parse_date(raw_date)
        if purchased is None:
            return self.problem("bad_date", f"Ugyldig innkjøpsdato «{raw_date}» (bruk dd.mm.åååå).")
        if purchased > today:
            return self.problem("future_date", f"Innkjøpsdatoen {purchased:%d.%m.%Y} er i fremtiden.")
        status = _device_status(self.value("status"))
        if status is None:
            self.problem("unknown_status", f"Ukjent status «{self.value('status')}»; behandlet som «i bruk».",
                         skipped=False)
            status = DeviceStatus.IN_USE
        if self.municipality is None:
            self.problem("unknown_municipality", f"Ukjent kommune «{self.value('municipality')}» for {upn}.",
                         skipped=False)
        elif self.named_unknown:
            self.problem("unknown_municipality", f"Ukjent kommune «{self.value('municipality')}»; {self.municipality} "
                                                 f"er brukt ut fra e-postdomenet til {upn}.", skipped=False)
        return Device(
            id=self.value("device_id") or serial, serial=serial, model=self.value("model") or "Ukjent modell",
            purchased=purchased, user_upn=upn, municipality=self.municipality, department=self.value("department"),
            manager_upn=self.value("manager_upn").lower(), status=status, user_id=self.value("user_id"),
            source_row=self.number,
        )


def parse_register(text: str, domains: dict[str, str], *, today: date, source: str = "register") -> Register:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InventoryError(f"maskinregisteret {source} er tomt")
    try:
        delimiter = csv.Sniffer().sniff(lines[0], delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_header_key(name) for name in next(reader)]
    columns: dict[str, int] = {}
    for canonical, spellings in COLUMNS.items():
        for index, name in enumerate(header):
            if name in spellings and canonical not in columns:
                columns[canonical] = index
    missing = [name for name in REQUIRED if name not in columns]
    if "serial" not in columns and "device_id" not in columns:
        missing.append("serial")
    if missing:
        raise InventoryError(f"maskinregisteret {source} mangler kolonnene {', '.join(missing)} (fant: {', '.join(header)})")

    devices: list[Device] = []
    people: dict[int, tuple[str, bool, str]] = {}
    problems: list[InventoryProblem] = []
    for line_number, fields in enumerate(reader, start=2):
        if not any(field.strip() for field in fields):
            continue
        row = _Line(line_number, fields, columns, domains, problems)
        if len(fields) < len(header):
            row.problem("short_row", f"Raden har {len(fields)} felt, overskriften {len(header)}; "
                                     "manglende felt er tomme.", skipped=False)
        elif len(fields) > len(header):
            row.problem("long_row", f"Raden har {len(fields)} felt, overskriften {len(header)}; "
                                    "feltene etter de første er ikke lest.", skipped=False)
        device = row.device(today)
        if device is not None:
            devices.append(device)
            active = row.value("user_status").lower() not in LEFT_STATUSES
            people[line_number] = (row.value("user_name"), active, row.value("manager_name"))

    kept, duplicate_problems = flag_duplicates(devices)
    problems += duplicate_problems
    problems.sort(key=lambda item: (item.row, item.code))
    rows = [RegisterRow(device, *people[device.source_row]) for device in kept]
    return Register(rows, problems, source)


def with_purchase_dates(devices: list[Device], register: Register) -> list[Device]:
    """Intune devices with the register's purchase dates (by serial), for pc_graph_date_source=register."""
    dates = {row.device.serial.upper(): row.device.purchased for row in register.rows}
    return [replace(device, purchased=dates.get(device.serial.upper())) for device in devices]
