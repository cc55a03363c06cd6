"""What the wizard holds between steps. Plain Python: survives going back and forth, testable alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldkit.core.dossier import Place


@dataclass
class WizardDraft:
    place: Place = field(default_factory=Place)
    procedure_code: str | None = None
    citizen_values: dict[str, str] = field(default_factory=dict)
    applicant_id: str | None = None
    declaration: dict[str, str] = field(default_factory=dict)
    # Set once the dossier is first saved (after the declaration step); later steps update it.
    dossier_uuid: str | None = None

    def next_citizen(self) -> WizardDraft:
        """A fresh draft for the next person at a help desk: same place, nothing else."""
        return WizardDraft(place=self.place)
