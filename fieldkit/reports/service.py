"""Who may see the figures and export them, and the audit entry an export leaves: one place for the
command line and the app."""

from __future__ import annotations

from pathlib import Path

from fieldkit.core.dossier import AuditEntry
from fieldkit.core.i18n import Translator
from fieldkit.core.roles import Actor, Permission, require
from fieldkit.reports.export import write_report
from fieldkit.reports.figures import Figures, Period, figures
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.kit import Kit


def team_figures(kit: Kit, actor: Actor, period: Period, tr: Translator, named: bool = False) -> Figures:
    """The team's figures for a supervisor (a named list needs the right to export personal data)."""
    require(actor, Permission.EXPORT if named else Permission.VIEW_AUDIT)
    return figures(kit, period, tr, named=named)


def export_figures(kit: Kit, actor: Actor, result: Figures, tr: Translator, fmt: str, path: Path) -> Path:
    written = write_report(result, tr, fmt, Path(path), [kit.data_dir / "fonts"])
    named = result.named is not None
    AuditLog(kit.db).append(
        AuditEntry(kit.clock.now(), actor.username, "report_exported", reason=f"{fmt} named={named}")
    )
    return written
