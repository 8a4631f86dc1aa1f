"""The CSV asset register: real exports are messy, and every bad row is reported, never fatal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.inventory.csv_source import CsvDirectory, CsvInventory, RegisterFile
from connectors.inventory.register import parse_date, parse_register
from core.ports import DeviceStatus, InventoryError
from core.settings import DEFAULT_MUNICIPALITY_DOMAINS, PROJECT_ROOT

TODAY = date(2025, 3, 3)


def parse(text: str):
    return parse_register(text, DEFAULT_MUNICIPALITY_DOMAINS, today=TODAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("14.02.2018", date(2018, 2, 14)), ("2018-02-14", date(2018, 2, 14)), ("14.02.18", date(2018, 2, 14)),
    ("14/02/2018", date(2018, 2, 14)), ("2018-02-14T00:00:00", date(2018, 2, 14)), ("14.02.2018 00:00", date(2018, 2, 14)),
    ("31.02.2017", None), ("ukjent", None),
])
def test_dates_in_the_forms_registers_use(text, expected):
    assert parse_date(text) == expected


def test_english_headers_commas_and_status_words():
    register = parse(
        "device_id,serial,model,purchase_date,user_upn,municipality,manager_upn,status,user_status\n"
        "D1,S1,ThinkPad,2018-01-01,Kari@Molde.Kommune.no,Molde kommune,lena@molde.kommune.no,Bestilt,\n"
        "D2,S2,EliteBook,2018-01-01,per@aukra.kommune.no,,,kassert,sluttet\n"
    )
    first, second = (row.device for row in register.rows)
    assert (first.user_upn, first.municipality, first.manager_upn, first.status) == (
        "kari@molde.kommune.no", "molde", "lena@molde.kommune.no", DeviceStatus.ORDERED)
    assert (second.municipality, second.status) == ("aukra", DeviceStatus.RETIRED)  # from the e-mail domain
    assert register.rows[1].user_active is False
    assert register.problems == []


def test_every_bad_row_is_a_problem_and_the_rest_are_used():
    register = parse(
        "Serienummer;Modell;Innkjøpsdato;Bruker;Kommune;Status\n"
        "S1;T470;14.02.2018;kari@molde.kommune.no;Molde;I bruk\n"
        "S2;T470;31.02.2017;per@molde.kommune.no;Molde;\n"
        "S3;T470;;per@molde.kommune.no;Molde;\n"
        "S4;T470;01.01.2030;per@molde.kommune.no;Molde;\n"
        "S5;T470;01.01.2018;;Molde;\n"
        "S6;T470;01.01.2018;kari;Molde;\n"
        ";T470;01.01.2018;kari@molde.kommune.no;Molde;\n"
        "S7;T470;01.01.2018;ola@rauma.kommune.no;Gamle Fræna;\n"
        "S8;T470;01.01.2018;x@gmail.com;Oslo;\n"
        "S9;T470;01.01.2018;kari@molde.kommune.no;Molde;Savnet\n"
        "S10;T470;01.01.2018\n"
        "\n"
    )
    assert [(p.row, p.code, p.skipped) for p in register.problems] == [
        (3, "bad_date", True), (4, "missing_date", True), (5, "future_date", True), (6, "missing_user", True),
        (7, "invalid_user", True), (8, "missing_serial", True),
        (9, "unknown_municipality", False),  # «Gamle Fræna»: not silently mapped, though the domain gives rauma
        (10, "unknown_municipality", False),
        (11, "unknown_status", False), (12, "missing_user", True), (12, "short_row", False),
    ]
    assert [row.device.serial for row in register.rows] == ["S1", "S7", "S8", "S9"]
    assert register.rows[1].device.municipality == "rauma"  # an old name: the domain decides, and it is said
    assert "rauma er brukt ut fra e-postdomenet" in register.problems[6].detail
    assert all(problem.fix for problem in register.problems)  # each with what the asset owner should do
    assert register.problems[0].fix.startswith("Skriv innkjøpsdatoen som dd.mm.åååå")


def test_duplicate_serials_keep_an_exact_repeat_once_and_skip_a_serial_on_two_users():
    register = parse(
        "Serienummer;Modell;Innkjøpsdato;Bruker\n"
        "S1;T470;14.02.2018;kari@molde.kommune.no\n"
        "S1;T470;14.02.2018;kari@molde.kommune.no\n"
        "S2;T470;14.02.2018;per@molde.kommune.no\n"
        "s2;T470;14.02.2018;ola@rauma.kommune.no\n"
    )
    assert [row.device.serial for row in register.rows] == ["S1"]
    assert [(p.row, p.code) for p in register.problems] == [(3, "duplicate_row"), (4, "duplicate_serial"),
                                                           (5, "duplicate_serial")]
    assert "rad 4, 5" in register.problems[1].detail


def test_a_file_without_the_needed_columns_is_an_error_naming_them():
    with pytest.raises(InventoryError, match="purchase_date, user_upn"):
        parse("Serienummer;Modell\nS1;T470\n")
    with pytest.raises(InventoryError, match="tomt"):
        parse("")


async def test_windows_1252_files_and_a_missing_file(tmp_path: Path):
    path = tmp_path / "register.csv"
    path.write_bytes("Serienummer;Modell;Innkjøpsdato;Bruker;Navn\nS1;T470;14.02.2018;kari@molde.kommune.no;Kari Nørdmann\n"
                     .encode("cp1252"))
    register = RegisterFile(path, DEFAULT_MUNICIPALITY_DOMAINS, lambda: TODAY)
    assert (await register.load()).rows[0].user_name == "Kari Nørdmann"
    with pytest.raises(InventoryError, match="kan ikke lese"):
        await RegisterFile(tmp_path / "finnes-ikke.csv", DEFAULT_MUNICIPALITY_DOMAINS, lambda: TODAY).load()


async def test_the_register_is_also_the_directory(tmp_path: Path):
    path = tmp_path / "register.csv"
    path.write_text(
        "Serienummer;Modell;Innkjøpsdato;Bruker;Navn;Bruker-ID;Leder;Ansattstatus\n"
        "S1;T470;14.02.2018;kari@molde.kommune.no;Kari Nordmann;id-kari;lena@molde.kommune.no;\n"
        "S2;T14;14.02.2023;lena@molde.kommune.no;Lena Lie;;;\n"
        "S3;T470;14.02.2018;per@molde.kommune.no;Per Haugen;id-per;tor@molde.kommune.no;\n"
        "S4;T470;14.02.2018;tor@molde.kommune.no;Tor Helland;id-tor;;Sluttet\n",
        encoding="utf-8",
    )
    register = RegisterFile(path, DEFAULT_MUNICIPALITY_DOMAINS, lambda: TODAY)

    async def known(upn: str) -> str | None:
        return {"lena@molde.kommune.no": "id-lena"}.get(upn)

    people = CsvDirectory(register, known)
    kari = await people.person("kari@molde.kommune.no")
    assert (kari.id, kari.name, kari.manager.id, kari.manager.name) == ("id-kari", "Kari Nordmann", "id-lena", "Lena Lie")
    per = await people.person("id-per")  # by AAD object id too
    assert per.manager.upn == "tor@molde.kommune.no" and per.manager.active is False
    assert await people.person("ukjent@molde.kommune.no") is None
    devices = await CsvInventory(register).devices_of("id-kari", "")
    assert [device.serial for device in devices] == ["S1"]


def test_the_demo_register_parses_without_crashing():
    register = parse((PROJECT_ROOT / "demo" / "inventory.csv").read_text(encoding="utf-8-sig"))
    assert len(register.rows) > 40
    assert {row.device.municipality for row in register.rows} == {"molde", "aukra", "hustadvika", "rauma", "vestnes"}
