"""The campaign report per municipality: a CSV, a bar chart (PNG) and a CSV of who has not acted."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from store.pc.campaigns import CampaignRepository
from store.pc.models import STAT_FIELDS, Campaign, MunicipalityStats, Target

COLUMN_TITLES = {
    "targeted": "målgruppe",
    "sent": "sendt",
    "failed": "feilet",
    "ordered": "bestilt",
    "approved": "godkjent",
    "rejected": "avslått",
    "no_response": "ikke svart",
    "not_mine": "ikke min PC",
}


@dataclass
class CampaignReport:
    campaign: Campaign
    rows: list[MunicipalityStats]
    without_answer: list[Target]

    @property
    def total(self) -> MunicipalityStats:
        extra_names = {name for row in self.rows for name in row.extra}
        return MunicipalityStats(
            "totalt",
            **{name: sum(getattr(row, name) for row in self.rows) for name in STAT_FIELDS},
            extra={name: sum(row.extra.get(name, 0) for row in self.rows) for name in extra_names},
        )


async def build_report(campaigns: CampaignRepository, campaign: Campaign) -> CampaignReport:
    return CampaignReport(campaign, await campaigns.stats(campaign.id), await campaigns.without_answer(campaign.id))


def write_csv(report: CampaignReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kommune", *STAT_FIELDS])
        for row in [*report.rows, report.total]:
            writer.writerow([row.municipality, *(getattr(row, name) for name in STAT_FIELDS)])
    return path


def write_without_answer_csv(report: CampaignReport, path: Path) -> Path:
    """Who has not acted, for the leaders: name, UPN, municipality, department, leader, state, reminders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["navn", "upn", "kommune", "avdeling", "leder", "melding", "påminnelser", "feil"])
        for target in report.without_answer:
            writer.writerow([target.user_name, target.user_upn, target.municipality, target.department,
                             target.manager_upn, target.delivery, target.reminders, target.last_error])
    return path


def write_chart(report: CampaignReport, path: Path) -> Path:
    """Grouped bars per municipality, one bar per figure of the CSV."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must be chosen before pyplot is imported
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    path.parent.mkdir(parents=True, exist_ok=True)
    municipalities = [row.municipality.capitalize() for row in report.rows] or ["–"]
    width = 0.8 / len(STAT_FIELDS)
    figure, axes = pyplot.subplots(figsize=(max(8.0, 2.2 * len(municipalities)), 5.0), dpi=110)
    for index, name in enumerate(STAT_FIELDS):
        values = [getattr(row, name) for row in report.rows] or [0]
        positions = [number + (index - (len(STAT_FIELDS) - 1) / 2) * width for number in range(len(values))]
        bars = axes.bar(positions, values, width, label=COLUMN_TITLES[name])
        axes.bar_label(bars, fontsize=7, padding=1)
    axes.set_xticks(range(len(municipalities)), municipalities)
    axes.set_ylabel("ansatte")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"PC-rullering {report.campaign.id} (kampanjedato {report.campaign.campaign_date:%d.%m.%Y})")
    axes.legend(ncols=4, fontsize=8, loc="upper right")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def write_all(report: CampaignReport, directory: Path) -> list[Path]:
    stem = directory / f"{report.campaign.id}"
    return [
        write_csv(report, stem.with_name(f"{stem.name}-kommuner.csv")),
        write_chart(report, stem.with_name(f"{stem.name}-kommuner.png")),
        write_without_answer_csv(report, stem.with_name(f"{stem.name}-ikke-svart.csv")),
    ]
