"""Multi-company consistency (Odoo's ``_check_company_auto`` and ``check_company=True``).

On a model with ``_check_company_auto = True``, creating or writing records
checks every relational field declared ``check_company=True``: each linked
record must belong to the record's company, or to none (a user: the record's
company must be one of the user's companies).  Records without a company may
only link records without one.  A mismatch raises ``UserError`` naming the
records, the field and the companies, and nothing is written.
"""
from __future__ import annotations

from ..exceptions import UserError


def _company_of(record):
    if record._name == "res.company":
        return record
    if "company_id" in record._fields:
        return record.company_id
    return record.env["res.company"]


def _compatible(company, corecord) -> bool:
    if corecord._name == "res.users" and "company_ids" in corecord._fields and corecord.company_ids:
        return not company or company <= corecord.company_ids
    if corecord._name == "res.company":
        return not corecord or not company or corecord == company
    if "company_id" not in corecord._fields:
        return True
    return not corecord.company_id or corecord.company_id == company


class CompanyCheck:
    """Mixed into ``BaseModel``."""

    _check_company_auto = False

    def _check_company_fields(self, names=None) -> list:
        return [field for name, field in self._fields.items()
                if field.relational and field.extra.get("check_company") and (names is None or name in names)]

    def _check_company(self, fnames=None) -> None:
        """Raise UserError if a ``check_company`` field of these records links another company's record."""
        fields_to_check = self._check_company_fields(fnames)
        if not fields_to_check:
            return
        problems = []
        for record in self.sudo():
            company = _company_of(record)
            for field in fields_to_check:
                for corecord in record[field.name]:
                    if not _compatible(company, corecord):
                        problems.append(f"- {record.display_name!r} belongs to company "
                                        f"{company.display_name if company else 'none'!r} and "
                                        f"{field.string!r} ({field.name}: {corecord.display_name!r}) belongs to "
                                        f"another company.")
        if problems:
            raise UserError("Incompatible companies on records:\n" + "\n".join(problems[:10]))

    def _check_company_after_change(self, names) -> None:
        """Hook of create/write: the checks of ``_check_company_auto`` models."""
        if self._check_company_auto and self:
            fields_to_check = self._check_company_fields()
            if "company_id" in names:
                self._check_company()
            elif any(field.name in names for field in fields_to_check):
                self._check_company(list(names))
