"""Write the monthly report: one self-contained HTML file (charts embedded), the charts as PNG and
every table as CSV (semicolons and decimal commas, as Norwegian Excel expects)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from analytics import charts
from analytics import texts as t
from analytics.definitions import MIN_GROUP_USERS, Rates, share
from analytics.funnel import TOTAL
from analytics.report import MonthlyReport
from skills.handoff.category import category_label

_TEMPLATES = Environment(loader=PackageLoader("analytics", "templates"), autoescape=select_autoescape())


@dataclass
class Section:
    id: str  # also the stem of its CSV and PNG files
    title: str
    intro: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    data: pd.DataFrame | None = None  # the CSV
    chart: bytes | None = None
    notes: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)  # free-form blocks (topics, comments)

    @property
    def chart_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.chart).decode() if self.chart else ""


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    charts: list[Path]
    tables: list[Path]


def _hidden(count: int) -> list[str]:
    return [t.HIDDEN_GROUPS.format(count=count, min=MIN_GROUP_USERS)] if count else []


def key_figures(report: MonthlyReport) -> list[tuple[str, str]]:
    """The headline figures, formatted (also the Teams card's facts)."""
    if not report.shown:
        return []
    totals, feedback = report.totals, report.feedback
    values = {
        "conversations": t.number(totals.conversations), "users": t.number(totals.users),
        "deflection": t.percent(totals.deflection), "escalation": t.percent(totals.escalation),
        "abandonment": t.percent(totals.abandonment), "csat": t.percent(feedback.csat),
        "tickets": t.number(report.tickets_total), "handoffs": t.number(report.handoffs.opened),
    }
    return [(label, values[name]) for name, label in t.KEY_FIGURES]


def _rate_row(name: str, rates: Rates) -> dict[str, Any]:
    return {"municipality": t.municipality(name), "conversations": rates.conversations, "users": rates.users,
            "knowledge": rates.knowledge, "self_solved": rates.self_solved, "deflection": rates.deflection,
            "escalated": rates.escalated, "escalation": rates.escalation, "abandoned": rates.abandoned,
            "abandonment": rates.abandonment}


def _formatted(value: Any, column: str) -> str:
    if column in ("deflection", "escalation", "abandonment", "taken_share", "rating_rate", "csat", "ordered_share"):
        return t.percent(value)
    if isinstance(value, float) and column.endswith("minutes"):
        return t.number(value, 1)
    if isinstance(value, (int, float)) or value is None or value is pd.NA:
        return t.number(None if value is pd.NA else value)
    return str(value)


def _table(section: Section, records: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> None:
    section.headers = [title for _, title in columns]
    section.rows = [[_formatted(record.get(name), name) for name, _ in columns] for record in records]
    data = pd.DataFrame.from_records(records, columns=[name for name, _ in columns])
    for name in data.columns:  # counts stay whole numbers in the CSV, with empty (suppressed) cells
        values = [record.get(name) for record in records if record.get(name) is not None]
        if values and all(isinstance(value, int) for value in values):
            data[name] = data[name].astype("Int64")
        elif any(isinstance(value, int) for value in values):  # a figure/value table: each as it is
            data[name] = pd.Series([record.get(name) for record in records], dtype=object)
    section.data = data.rename(columns=dict(columns))


def trend_section(report: MonthlyReport) -> Section:
    section = Section("samtaler-per-maaned", "Samtaler og aktive brukere per måned",
                      "De siste 13 månedene, per kommune (grafen styret kjenner).",
                      notes=[t.SUPPRESSION_NOTE.format(min=MIN_GROUP_USERS)])
    trend = report.trend
    months = report.trend_months
    places = sorted(set(trend["municipality"]) - {"totalt"}, key=t.municipality)

    def value(month: int, place: str, column: str) -> Any:
        cell = trend[(trend["month"] == month) & (trend["municipality"] == place)]
        return None if cell.empty or pd.isna(cell[column].iloc[0]) else int(cell[column].iloc[0])

    records = [{"month": t.month_name(month), **{f"{place}:{column}": value(month, place, column)
                                                  for place in [*places, "totalt"] for column in ("conversations", "users")}}
               for month in months]
    columns = (("month", "Måned"), *((f"{place}:{column}", f"{t.municipality(place)} {label}")
                                     for place in [*places, "totalt"]
                                     for column, label in (("conversations", "samtaler"), ("users", "brukere"))))
    _table(section, records, columns)
    labels = [t.short_month(month) for month in months]
    section.chart = charts.stacked_bars(
        labels, {t.municipality(place): [value(month, place, "conversations") or 0 for month in months] for place in places},
        "Samtaler per måned", "samtaler", totals=[value(month, "totalt", "conversations") for month in months])
    section.items = [{"chart": charts.lines(
        labels, {t.municipality(place): [value(month, place, "users") for month in months] for place in [*places, "totalt"]},
        "Aktive brukere per måned", "brukere"), "name": "aktive-brukere"}]
    return section


def outcome_section(report: MonthlyReport) -> Section:
    section = Section("selvbetjening", "Løst uten Kundeservice, eskalering og avbrudd",
                      "Deflection = selvløste samtaler ÷ kunnskapssamtaler. Se definisjonene nederst.",
                      notes=[t.SUPPRESSION_NOTE.format(min=MIN_GROUP_USERS)])
    records = [_rate_row(name, rates) for name, rates in report.by_municipality.items()]
    if report.shown:
        records.append(_rate_row("totalt", report.totals))
    _table(section, records, t.RATE_COLUMNS)
    if records:
        section.chart = charts.grouped_bars(
            [record["municipality"] for record in records],
            {"Deflection": [100 * (r["deflection"] or 0) for r in records],
             "Eskalering": [100 * (r["escalation"] or 0) for r in records],
             "Avbrudd": [100 * (r["abandonment"] or 0) for r in records]},
            "Selvbetjening per kommune", "prosent", value_format="{:.0f} %")
    return section


def tickets_section(report: MonthlyReport) -> Section:
    section = Section("saker", "Saker opprettet av Rakel",
                      f"{t.number(report.tickets_total)} saker i perioden, fordelt på kategori.",
                      notes=_hidden(report.tickets_hidden))
    records = [{"category": category_label(row.category) if row.category else "Ikke valgt", "count": row.count,
                "users": row.users} for row in report.tickets.itertuples()]
    _table(section, records, (("category", "Kategori"), ("count", "Saker"), ("users", "Brukere")))
    if records:
        section.chart = charts.horizontal_bars([r["category"] for r in records], [r["count"] for r in records],
                                               "Saker per kategori", "saker")
    return section


def handoff_section(report: MonthlyReport) -> Section:
    handoffs = report.handoffs
    section = Section("overforinger", "Overføring til Kundeservice («Snakk med et menneske»)")
    if handoffs.users < MIN_GROUP_USERS:
        section.notes = [t.HIDDEN_GROUPS.format(count=1, min=MIN_GROUP_USERS)] if handoffs.users else []
        _table(section, [], (("figure", "Tall"), ("value", "Verdi")))
        return section
    records = [{"figure": label, "value": getattr(handoffs, name)} for name, label in t.HANDOFF_ROWS]
    _table(section, records, (("figure", "Tall"), ("value", "Verdi")))
    section.rows = [[label, _formatted(getattr(handoffs, name), name)] for name, label in t.HANDOFF_ROWS]
    section.chart = charts.horizontal_bars(
        ["Forespørsler", "Tatt", "Avsluttet", "Utenfor åpningstid"],
        [handoffs.opened, handoffs.taken, handoffs.ended, handoffs.closed_hours], "Overføringer", "antall")
    return section


def feedback_section(report: MonthlyReport) -> Section:
    feedback = report.feedback
    section = Section("tilbakemeldinger", "Tilbakemeldinger")
    if feedback.users < MIN_GROUP_USERS:
        section.notes = _hidden(1 if feedback.users else 0)
    else:
        records = [{"figure": label, "value": getattr(feedback, name)} for name, label in t.FEEDBACK_ROWS]
        _table(section, records, (("figure", "Tall"), ("value", "Verdi")))
        section.rows = [[label, _formatted(getattr(feedback, name), name)] for name, label in t.FEEDBACK_ROWS]
        section.chart = charts.horizontal_bars(["Tommel opp", "Tommel ned"], [feedback.up, feedback.down],
                                               "Tomler", "antall")
    if report.comments:
        section.items = [{"comments": report.comments, "count": report.comment_count}]
    elif report.comment_count:
        section.notes.append(f"{report.comment_count} kommentar(er) fra færre enn {MIN_GROUP_USERS} brukere vises ikke.")
    return section


def gaps_section(report: MonthlyReport) -> Section:
    gaps = report.gaps
    section = Section("innholdshull", "Innholdshull: spørsmål uten godt svar",
                      "Spørsmål Rakel ikke fant et sikkert svar på, eller der svaret fikk tommel ned, gruppert i "
                      "temaer. Dette er innholdet Kompetanseportalen bør fylle. Eksemplene er maskert.",
                      notes=_hidden(gaps.hidden_topics))
    records = [{"topic": topic.label, "questions": topic.questions, "users": topic.users,
                "unanswered": topic.unanswered, "disliked": topic.disliked, "examples": " | ".join(topic.examples)}
               for topic in gaps.topics]
    _table(section, records, (("topic", "Tema"), ("questions", "Spørsmål"), ("users", "Brukere"),
                              ("unanswered", "Uten svar"), ("disliked", "Tommel ned"), ("examples", "Eksempler")))
    section.headers, section.rows = [], []  # shown as topic blocks, the CSV keeps the table
    section.items = [{"topic": topic} for topic in gaps.topics]
    if gaps.topics:
        section.chart = charts.horizontal_bars([topic.label for topic in gaps.topics],
                                               [topic.questions for topic in gaps.topics], "Innholdshull", "spørsmål")
    return section


def sources_section(report: MonthlyReport) -> Section:
    section = Section("kilder", "Mest brukte kilder", "Sidene og sakene Rakel oftest viste til i svarene sine.",
                      notes=_hidden(report.sources_hidden))
    records = [{"source": row.source, "count": row.count, "users": row.users} for row in report.sources.itertuples()]
    _table(section, records, (("source", "Kilde"), ("count", "Svar"), ("users", "Brukere")))
    return section


def _pc_record(row: dict[str, Any]) -> dict[str, Any]:
    return {**{name: row[name] for name, _ in t.PC_COLUMNS[1:-1]}, "municipality": t.municipality(row["municipality"]),
            "ordered_share": share(row["ordered"], row["messaged"])}


def pc_section(report: MonthlyReport) -> Section:
    funnel = report.pc_funnel
    section = Section("pc-rullering", "PC-rullering: fra kort til byttesak",
                      "Ansatte som fikk kampanjekortet i perioden, per kommune: hvor mange som bestilte, fikk "
                      "bestillingen godkjent av leder og fikk byttesaken meldt til Kundeservice. Status da "
                      "rapporten ble laget.", notes=_hidden(funnel.hidden))
    records = [_pc_record(row) for row in funnel.period.to_dict("records")]
    _table(section, records, t.PC_COLUMNS)
    if records:
        section.chart = charts.grouped_bars(
            [record["municipality"] for record in records],
            {title: [record[name] for record in records] for name, title in t.PC_STEPS},
            "PC-rullering per kommune", "ansatte")
    return section


def pc_trend_section(report: MonthlyReport) -> Section:
    """Per month the card went out: the funnel's steps (the CSV per municipality too)."""
    trend = report.pc_funnel.trend
    section = Section("pc-rullering-per-maaned", "PC-rullering per måned",
                      "Etter måneden kortet ble sendt, de siste 13 månedene.",
                      notes=[t.SUPPRESSION_NOTE.format(min=MIN_GROUP_USERS)])
    records = [{"month": t.month_name(int(row["month"])), **_pc_record(row)} for row in trend.to_dict("records")]
    _table(section, records, (("month", "Måned"), *t.PC_COLUMNS))
    totals = trend[trend["municipality"] == TOTAL].set_index("month")
    section.headers = ["Måned", *(title for _, title in t.PC_STEPS), "Andel som bestilte"]
    section.rows = [[t.month_name(month), *(t.number(int(totals.at[month, name])) if month in totals.index else ""
                                            for name, _ in t.PC_STEPS),
                     t.percent(share(totals.at[month, "ordered"], totals.at[month, "messaged"]))
                     if month in totals.index else ""] for month in report.trend_months]
    if not totals.empty:
        section.chart = charts.grouped_bars(
            [t.short_month(month) for month in report.trend_months],
            {title: [int(totals.at[month, name]) if month in totals.index else 0 for month in report.trend_months]
             for name, title in t.PC_STEPS}, "PC-rullering per måned (alle kommuner)", "ansatte", label_zeros=False)
    return section


def sections(report: MonthlyReport) -> list[Section]:
    return [trend_section(report), outcome_section(report), tickets_section(report), handoff_section(report),
            feedback_section(report), gaps_section(report), sources_section(report), pc_section(report),
            pc_trend_section(report)]


def write_report(report: MonthlyReport, directory: Path, settings_hours: float, text_days: int) -> ReportFiles:
    directory.mkdir(parents=True, exist_ok=True)
    parts = sections(report)
    pngs, csvs = [], []
    for section in parts:
        if section.data is not None:
            path = directory / f"{section.id}.csv"
            section.data.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
            csvs.append(path)
        for name, chart in [(section.id, section.chart), *((item["name"], item["chart"]) for item in section.items
                                                           if "chart" in item)]:
            if chart:
                path = directory / f"{name}.png"
                path.write_bytes(chart)
                pngs.append(path)
    figures = key_figures(report)
    key_path = directory / "nokkeltall.csv"
    pd.DataFrame(figures, columns=["Nøkkeltall", "Verdi"]).to_csv(key_path, sep=";", index=False, encoding="utf-8-sig")
    csvs.insert(0, key_path)
    period = t.period_name(report.period.first, report.period.last)
    html = _TEMPLATES.get_template("report.html.j2").render(
        title=t.TITLE.format(period=period), period=period, report=report, key_figures=figures, sections=parts,
        generated=report.generated_at.strftime("%d.%m.%Y %H:%M"), too_few=t.TOO_FEW_USERS.format(min=MIN_GROUP_USERS),
        definitions=[(term, text.format(hours=t.number(settings_hours), text_days=text_days))
                     for term, text in t.DEFINITIONS],
        data_uri=lambda chart: "data:image/png;base64," + base64.b64encode(chart).decode(),
    )
    html_path = directory / "rapport.html"
    html_path.write_text(html, encoding="utf-8")
    return ReportFiles(html_path, pngs, csvs)
