"""Who gets a message: every active employee with a PC that is due on the campaign date, one target per
person (with all their due PCs), and every register row that could not be used, with the reason."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from core.ports import Device, DeviceInventory, DeviceStatus, Directory, InventoryProblem, Person
from skills.pc_replacement.rules import DueRule
from store.pc.models import NewTarget, StoredDevice, serial_key
from store.pc.orders import OrderRepository

UNKNOWN_MUNICIPALITY = "ukjent"


@dataclass
class MunicipalityPlan:
    devices: int = 0  # PCs in the register
    due: int = 0  # of which old enough
    targets: int = 0  # employees who get a message
    skipped_ordered: int = 0  # due, but already ordered or approved
    skipped_retired: int = 0
    skipped_left: int = 0  # the user has left or is unknown in the directory
    problems: int = 0


@dataclass
class Plan:
    campaign_date: date
    max_age_years: int
    source: str
    targets: list[NewTarget] = field(default_factory=list)
    municipalities: dict[str, MunicipalityPlan] = field(default_factory=lambda: defaultdict(MunicipalityPlan))
    problems: list[InventoryProblem] = field(default_factory=list)

    def total(self) -> MunicipalityPlan:
        total = MunicipalityPlan()
        for row in self.municipalities.values():
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def _stored(device: Device) -> StoredDevice:
    return StoredDevice(device.id, device.serial, device.model, device.purchased)


class Planner:
    def __init__(self, inventory: DeviceInventory, directory: Directory, orders: OrderRepository,
                 fallback_approvers: dict[str, str]) -> None:
        self._inventory = inventory
        self._directory = directory
        self._orders = orders
        self._fallbacks = fallback_approvers

    async def plan(self, campaign_date: date, rule: DueRule) -> Plan:
        snapshot = await self._inventory.snapshot()
        plan = Plan(campaign_date, rule.years, snapshot.source, problems=list(snapshot.problems))
        already_ordered = await self._orders.ordered_serials()
        candidates: list[Device] = []
        for device in snapshot.devices:
            row = plan.municipalities[device.municipality or UNKNOWN_MUNICIPALITY]
            row.devices += 1
            if device.purchased is None or not rule.is_due(device.purchased, campaign_date):
                continue
            row.due += 1
            if device.status is DeviceStatus.RETIRED:
                row.skipped_retired += 1
            elif device.status in (DeviceStatus.ORDERED, DeviceStatus.APPROVED) or serial_key(device.serial) in already_ordered:
                row.skipped_ordered += 1
            else:
                candidates.append(device)
        people = await self._directory.people({device.user_upn for device in candidates})
        by_person: dict[str, list[Device]] = defaultdict(list)
        for device in candidates:
            row = plan.municipalities[device.municipality or UNKNOWN_MUNICIPALITY]
            person = people.get(device.user_upn)
            if person is None:
                row.skipped_left += 1
                plan.problems.append(InventoryProblem(
                    device.source_row, device.id, "unknown_user",
                    f"Brukeren {device.user_upn} finnes ikke i katalogen (sluttet, eller feil i registeret).", True,
                    device.municipality, device.serial))
            elif not person.active:
                row.skipped_left += 1
                plan.problems.append(InventoryProblem(
                    device.source_row, device.id, "user_left",
                    f"{person.name} ({device.user_upn}) har sluttet eller har deaktivert konto; PC-en bør leveres inn.",
                    True, device.municipality, device.serial))
            else:
                by_person[person.upn].append(device)
        for upn, devices in by_person.items():
            plan.targets.append(self._target(people[upn], devices, plan))
        plan.targets.sort(key=lambda target: (target.municipality, target.user_upn))
        self._check_fallbacks(plan)
        plan.problems.sort(key=lambda item: (item.row, item.device, item.code))
        for problem in plan.problems:
            plan.municipalities[problem.municipality or UNKNOWN_MUNICIPALITY].problems += 1
        return plan

    def _target(self, person: Person, devices: list[Device], plan: Plan) -> NewTarget:
        devices = sorted(devices, key=lambda device: device.purchased or date.max)
        first = devices[0]
        municipality = first.municipality or person.municipality or UNKNOWN_MUNICIPALITY
        plan.municipalities[municipality].targets += 1
        manager = person.manager
        registered_manager = next((device.manager_upn for device in devices if device.manager_upn), "")
        fallback = "reservegodkjenneren" if self._fallback_for(municipality) else "reservegodkjenner (IKKE SATT)"

        def warn(code: str, detail: str) -> None:
            plan.problems.append(InventoryProblem(first.source_row, first.id, code, detail, False, municipality,
                                                  first.serial))

        if manager is None:
            if registered_manager:
                warn("unknown_manager", f"Lederen {registered_manager} for {person.upn} finnes ikke; "
                                        f"godkjenning går til {fallback} for {municipality}.")
            else:
                warn("missing_manager", f"Ingen leder registrert for {person.upn}; "
                                        f"godkjenning går til {fallback} for {municipality}.")
        elif not manager.active:
            warn("manager_left", f"Lederen {manager.name} ({manager.upn}) har sluttet; "
                                 f"godkjenning går til {fallback} for {municipality}.")
            manager = None
        elif not manager.id:
            warn("manager_unreachable", f"Lederen {manager.upn} har ingen kjent Entra-id (har ikke brukt Rakel); "
                                        f"godkjenning går til {fallback} om lederen ikke finnes når det bestilles.")
        if not person.id:
            warn("missing_user_id", f"{person.upn} har ingen kjent Entra-id og kan ikke få melding før hen har "
                                    "åpnet Rakel (eller registeret får id-en).")
        return NewTarget(
            user_key=person.upn, user_id=person.id, user_upn=person.upn, user_name=person.name,
            municipality=municipality, department=first.department or person.department,
            manager_id=manager.id if manager else "", manager_upn=manager.upn if manager else "",
            manager_name=manager.name if manager else "", devices=[_stored(device) for device in devices],
        )

    def _fallback_for(self, municipality: str) -> str:
        return self._fallbacks.get(municipality) or self._fallbacks.get("default", "")

    def _check_fallbacks(self, plan: Plan) -> None:
        for municipality in sorted({target.municipality for target in plan.targets}):
            if not self._fallback_for(municipality):
                plan.problems.append(InventoryProblem(
                    0, "-", "no_fallback_approver",
                    f"Ingen reservegodkjenner satt for {municipality} (RAKEL_PC_FALLBACK_APPROVERS); bestillinger "
                    "fra ansatte uten aktiv leder blir liggende.", False, municipality))
