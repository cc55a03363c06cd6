"""Domain objects as JSON for `--json` and as lines of text for people."""

from __future__ import annotations

from typing import Any

from fieldkit.core.catalog import Procedure
from fieldkit.core.citizen import Citizen
from fieldkit.core.dates import format_date
from fieldkit.core.dossier import Dossier
from fieldkit.core.errors import Problem
from fieldkit.core.i18n import Translator


def problems_json(problems: list[Problem], tr: Translator, labels: dict | None = None) -> list[dict[str, str]]:
    return [{"where": p.where, "code": p.message.key, "message": tr.problem(p, labels)} for p in problems]


def procedure_json(procedure: Procedure, tr: Translator, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name.in_language(tr.lang),
        "name_vi": procedure.name.vi,
        "name_en": procedure.name.en,
        "sector": procedure.sector.in_language(tr.lang),
        "online": procedure.online,
    }
    if full:
        data["fields"] = [
            {
                "name": f.name,
                "label": f.label.in_language(tr.lang),
                "type": f.type,
                "required": f.required,
                "choices": [c.value for c in f.choices],
            }
            for f in procedure.fields
        ]
        data["documents"] = [
            {
                "code": s.code,
                "name": s.name.in_language(tr.lang),
                "required": s.required,
                "kinds": list(s.kinds),
                "typical_pages": s.typical_pages,
                "paper": s.paper,
                "one_of": s.one_of,
            }
            for s in procedure.slots
        ]
    return data


def procedure_text(procedure: Procedure, tr: Translator) -> list[str]:
    lang = tr.lang
    lines = [
        f"{procedure.code}  {procedure.name.in_language(lang)}",
        f"  {tr('cli.sector')}: {procedure.sector.in_language(lang)}",
        f"  {tr('cli.fields')}:",
    ]
    for f in procedure.fields:
        mark = "*" if f.required else " "
        lines.append(f"   {mark} {f.name:<24} {f.label.in_language(lang)} [{tr(f'cli.field_type.{f.type}')}]")
        lines += [f"       = {c.value:<22} {c.label.in_language(lang)}" for c in f.choices]
    lines.append(f"  {tr('cli.documents')}:")
    for s in procedure.slots:
        mark = "*" if s.required else " "
        alt = f" ({tr('cli.one_of')} {s.one_of})" if s.one_of else ""
        lines.append(f"   {mark} {s.code:<24} {s.name.in_language(lang)}{alt}")
    lines.append(f"  * = {tr('cli.required')}")
    return lines


def dossier_body_lines(dossier: Dossier, procedure: Procedure | None, tr: Translator) -> list[str]:
    """The declaration by the catalog's labels (a choice by its words), then each document: what a person reads
    in `dossier show` and `review show`."""
    lang = tr.lang
    fields = {f.name: f for f in procedure.fields} if procedure else {}
    order = [name for name in fields if name in dossier.declaration]
    order += sorted(name for name in dossier.declaration if name not in fields)  # fields the catalog dropped
    lines = []
    for name in order:
        value, field = dossier.declaration[name], fields.get(name)
        shown = next((c.label.in_language(lang) for c in field.choices if c.value == value), None) if field else None
        label = field.label.in_language(lang) if field else name
        lines.append(f"  {label}: {shown or value}")
    for doc in dossier.documents:
        kb = max(1, round(doc.size / 1024))
        lines.append("  " + tr("cli.document_line", slot=doc.slot_code, file=doc.filename, pages=doc.pages, kb=kb))
    return lines


def portal_status_text(tr: Translator, status: Any, note: str) -> str:
    """The portal's status in words, and its note after it when it gave one ("more documents: which")."""
    label = tr.msg(status.label)
    return tr("cli.status_with_note", status=label, note=note) if note else label


def citizen_json(citizen: Citizen) -> dict[str, Any]:
    return citizen.to_dict()


def citizen_text(citizen: Citizen, tr: Translator) -> list[str]:
    rows = [
        ("field.id_number", citizen.id_number),
        ("field.full_name", citizen.full_name),
        ("field.date_of_birth", format_date(citizen.date_of_birth) if citizen.date_of_birth else ""),
        ("field.sex", tr(citizen.sex.label_key) if citizen.sex else ""),
        ("field.permanent_address", citizen.permanent_address),
        ("field.phone", citizen.phone),
        ("field.issue_date", format_date(citizen.issue_date) if citizen.issue_date else ""),
        ("field.old_id_number", citizen.old_id_number),
    ]
    return [f"{tr(key)}: {value}" for key, value in rows if value]


def dossier_json(
    dossier: Dossier, tr: Translator, problems: list[Problem] | None = None, labels: dict | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uuid": dossier.uuid,
        "revision": dossier.revision,
        "procedure": dossier.procedure_code,
        "applicant": dossier.applicant_id,
        "assisted_by": dossier.assisted_by,
        "place": {"kind": dossier.place.kind.value, "village": dossier.place.village},
        "status": dossier.status.value,
        "status_label": tr.msg(dossier.status.label),
        "portal_code": dossier.portal_code,
        "portal_status": int(dossier.portal_status) if dossier.portal_status else None,
        "portal_status_label": tr.msg(dossier.portal_status.label) if dossier.portal_status else None,
        "portal_note": dossier.portal_note,
        "attention_reason": dossier.attention_reason,
        "declaration": dossier.declaration,
        "documents": [
            {
                "slot": d.slot_code,
                "sha256": d.sha256,
                "size": d.size,
                "media_type": d.media_type,
                "pages": d.pages,
                "filename": d.filename,
                "dpi": d.dpi,
            }
            for d in dossier.documents
        ],
        "created_at": dossier.created_at.isoformat(),
        "updated_at": dossier.updated_at.isoformat(),
    }
    if problems is not None:
        data["problems"] = problems_json(problems, tr, labels)
    return data


def dossier_line(dossier: Dossier, tr: Translator) -> str:
    portal = f"  {dossier.portal_code}" if dossier.portal_code else ""
    return (
        f"{dossier.uuid[:8]}  {dossier.procedure_code:<9} {dossier.applicant_id}  "
        f"{tr.msg(dossier.status.label)}{portal}"
    )
