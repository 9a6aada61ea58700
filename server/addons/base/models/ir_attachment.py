"""Attachments: files kept in a content-addressed filestore, attached to records.

The bytes of an attachment live in ``<data_dir>/filestore/<database>/<sha1[:2]>/<sha1>``
(``store_fname`` is that relative path, ``checksum`` the SHA-1): the same content is stored once,
whoever attaches it.  ``datas`` (base64) and ``raw`` (bytes) are how callers read and write it.

Who may see an attachment follows the record it is attached to (``res_model``/``res_id``):
reading it needs read access to the record, changing it write access.  An attachment attached to
nothing is its creator's (and system administrators'); a ``public`` one anybody may read.

The mimetype is, in order: the one given, the content's (puremagic's signatures; zip-based formats,
which all look alike, are named by their file name instead), the file name's, ``text/plain`` for
UTF-8 text.  Active content (HTML, SVG, XML, JavaScript) uploaded by a user who is not a system
administrator is stored as ``text/plain``, so that serving it back cannot run a script.

Files no attachment refers to any more are deleted by ``_gc_file_store`` (the daily autovacuum),
once older than an hour: a transaction still running may have written one it will refer to.
"""
import base64
import hashlib
import logging
import mimetypes
import os
import time
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, ValidationError

_logger = logging.getLogger(__name__)
ACTIVE_CONTENT = ("html", "svg", "xml", "javascript", "ecmascript")
GC_GRACE_SECONDS = 3600
MODES = {"read": "read", "write": "write", "create": "write", "unlink": "write"}


def guess_mimetype(raw: bytes, name: str | None = None) -> str:
    """The mimetype of ``raw`` (see the module docstring for the order)."""
    by_name = mimetypes.guess_type(name)[0] if name else None
    by_content = _content_mimetype(raw) if raw else None
    if by_content and (by_content == "application/zip" or by_content.startswith("application/vnd.openxml")):
        return by_name or by_content
    if by_content:
        return by_content
    if by_name:
        return by_name
    if raw:
        try:
            raw[:4096].decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            pass
    return "application/octet-stream"


def _content_mimetype(raw: bytes) -> str | None:
    import puremagic

    try:
        return puremagic.from_string(raw[:8192], mime=True) or None
    except puremagic.PureError:
        return None
    except Exception:  # a signature the library chokes on is no reason to refuse a file
        _logger.debug("puremagic could not read a file", exc_info=True)
        return None


class RawBinary(fields.Binary):
    """A binary field whose record value is the bytes themselves (``attachment.raw``), not base64."""

    def convert_to_record(self, value, record):
        return value or b""


class IrAttachment(models.Model):
    _name = "ir.attachment"
    _description = "Attachment"
    _order = "id desc"

    name = fields.Char(required=True)
    description = fields.Text()
    res_name = fields.Char("Resource Name", compute="_compute_res_name")
    res_model = fields.Char("Resource Model", index=True)
    res_field = fields.Char("Resource Field", index=True)
    res_id = fields.Integer("Resource ID", index=True)
    company_id = fields.Many2one("res.company", "Company")
    type = fields.Selection([("url", "URL"), ("binary", "File")], required=True, default="binary")
    url = fields.Char("Url", index=True, size=1024)
    public = fields.Boolean("Is public document")
    access_token = fields.Char("Access Token", secret=True)
    raw = RawBinary("File Content (raw)", compute="_compute_raw")
    datas = fields.Binary("File Content (base64)", compute="_compute_datas")
    store_fname = fields.Char("Stored Filename", index=True)
    file_size = fields.Integer("File Size", readonly=True)
    checksum = fields.Char("Checksum/SHA1", size=40, index=True, readonly=True)
    mimetype = fields.Char("Mime Type", readonly=True)

    # -- the filestore ----------------------------------------------------------------------------------
    @api.model
    def _filestore(self) -> Path:
        return Path(self.env.registry.config.data_dir) / "filestore" / self.env.cr.dbname

    @api.model
    def _full_path(self, store_fname: str) -> Path:
        if not store_fname or ".." in store_fname or store_fname.startswith("/"):
            raise ValidationError(f"Invalid stored file name {store_fname!r}")
        return self._filestore() / store_fname

    @api.model
    def _file_write(self, raw: bytes, checksum: str) -> str:
        """Store ``raw`` under its checksum (once: the same content is never written twice)."""
        store_fname = f"{checksum[:2]}/{checksum}"
        path = self._full_path(store_fname)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{checksum}.{os.getpid()}.tmp")
            temporary.write_bytes(raw)
            os.replace(temporary, path)  # atomic: a reader never sees half a file
        return store_fname

    @api.model
    def _file_read(self, store_fname: str) -> bytes:
        try:
            return self._full_path(store_fname).read_bytes()
        except FileNotFoundError:
            _logger.warning("attachment file %s is missing from the filestore of %s", store_fname,
                            self.env.cr.dbname)
            return b""

    # -- content ------------------------------------------------------------------------------------------
    def _compute_raw(self):
        for attachment in self:
            stored = attachment.sudo()
            attachment.raw = base64.b64encode(self._file_read(stored.store_fname)) if stored.store_fname else False

    def _compute_datas(self):
        for attachment in self:
            stored = attachment.sudo()
            attachment.datas = base64.b64encode(self._file_read(stored.store_fname)) if stored.store_fname else False

    def _content_values(self, vals: dict) -> dict:
        """Turn ``datas``/``raw`` of ``vals`` into the stored file and its checksum, size and mimetype."""
        vals = dict(vals)
        if "datas" not in vals and "raw" not in vals:
            return vals
        if "raw" in vals:
            raw = vals.pop("raw") or b""
            raw = raw.encode() if isinstance(raw, str) else raw
            vals.pop("datas", None)
        else:
            datas = vals.pop("datas") or b""
            try:  # leniently, as Odoo: characters outside the base64 alphabet are skipped
                raw = base64.b64decode(datas) if datas else b""
            except (ValueError, TypeError):
                raw = None
            if raw is None or (datas and not raw):
                raise ValidationError("Attachment datas must be base64-encoded")
        checksum = hashlib.sha1(raw).hexdigest()
        vals.update(checksum=checksum, file_size=len(raw),
                    store_fname=self._file_write(raw, checksum) if raw else False)
        if not vals.get("mimetype"):
            vals["mimetype"] = guess_mimetype(raw, vals.get("name") or (self.name if len(self) == 1 else None))
        return vals

    def _safe_mimetype(self, vals: dict) -> dict:
        mimetype = (vals.get("mimetype") or "").lower()
        if any(kind in mimetype for kind in ACTIVE_CONTENT) and not self.env.is_system():
            vals["mimetype"] = "text/plain"
        return vals

    # -- access follows the attached record -----------------------------------------------------------
    def _check_attached(self, mode: str, values: dict | None = None) -> None:
        """AccessError unless the user may ``mode`` the records these attachments (or ``values``) are
        attached to."""
        if self.env.su:
            return
        operation = MODES[mode]
        targets = [(a.res_model, a.res_id, a.create_uid.id, a.public) for a in self.sudo()]
        if values is not None:
            targets.append((values.get("res_model"), values.get("res_id"), self.env.uid, values.get("public")))
        for res_model, res_id, creator, public in targets:
            if mode == "read" and public:
                continue
            if not res_model or not res_id:
                if creator != self.env.uid and not self.env.is_system():
                    raise AccessError("Sorry, you are not allowed to access this document.")
                continue
            if res_model not in self.env:
                raise AccessError(f"Attachment of unknown model {res_model!r}")
            record = self.env[res_model].browse(res_id)
            if not record.sudo().exists():
                if not self.env.is_system():
                    raise AccessError("Sorry, you are not allowed to access this document.")
                continue
            record.check_access_rights(operation)
            record.check_access_rule(operation)

    def _filter_attached(self):
        """These attachments minus those the user may not read (for searches)."""
        allowed = []
        for attachment in self:
            try:
                attachment._check_attached("read")
                allowed.append(attachment.id)
            except (AccessError, MissingError):
                continue
        return self.browse(allowed)

    @api.model_create_multi
    def create(self, vals_list):
        prepared = []
        for vals in vals_list:
            self.browse()._check_attached("create", vals)
            prepared.append(self._safe_mimetype(self.browse()._content_values(vals)))
        return super().create(prepared)

    def write(self, vals):
        self._check_attached("write")
        if "res_model" in vals or "res_id" in vals:
            for attachment in self:
                self.browse()._check_attached("write", {"res_model": vals.get("res_model", attachment.res_model),
                                                         "res_id": vals.get("res_id", attachment.res_id)})
        for key in ("file_size", "checksum", "store_fname"):
            vals.pop(key, None)
        if "datas" in vals or "raw" in vals:
            for attachment in self:
                super(IrAttachment, attachment).write(attachment._safe_mimetype(attachment._content_values(vals)))
            return True
        return super().write(self._safe_mimetype(dict(vals)) if "mimetype" in vals else vals)

    def unlink(self):
        self._check_attached("unlink")
        return super().unlink()

    def read(self, fields=None, load="_classic_read"):
        self._check_attached("read")
        return super().read(fields, load)

    def _search(self, domain, offset=0, limit=None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        # Each found attachment is checked against its record; the allowed ones are searched again so
        # that offset and limit apply to what the user may see.
        candidates = self.sudo().search(list(domain or []), order=order)
        allowed = candidates.with_env(self.env)._filter_attached()
        return super()._search([("id", "in", allowed.ids)], offset, limit, order)

    def _compute_res_name(self):
        for attachment in self:
            name = False
            if attachment.res_model in self.env and attachment.res_id:
                record = self.env[attachment.res_model].sudo().browse(attachment.res_id).exists()
                name = record.display_name if record else False
            attachment.res_name = name

    # -- garbage collection ---------------------------------------------------------------------------------
    @api.autovacuum
    def _gc_file_store(self, grace_seconds: int = GC_GRACE_SECONDS) -> int:
        """Delete the files no attachment refers to, once older than ``grace_seconds``; the number deleted."""
        root = self._filestore()
        if not root.is_dir():
            return 0
        if self.env.cr.database.dialect == "postgresql":
            # No attachment may start referring to a file while the list of referenced ones is read.
            self.env.cr.execute("LOCK ir_attachment IN SHARE MODE")
        referenced = {row[0] for row in self.env.cr.execute(
            "SELECT store_fname FROM ir_attachment WHERE store_fname IS NOT NULL").fetchall()}
        deadline, removed = time.time() - grace_seconds, 0
        for path in root.glob("*/*"):
            name = f"{path.parent.name}/{path.name}"
            if path.is_file() and name not in referenced and path.stat().st_mtime < deadline:
                path.unlink(missing_ok=True)
                removed += 1
        _logger.info("filestore of %s: %d unreferenced file(s) removed", self.env.cr.dbname, removed)
        return removed

    # -- fields stored as attachments (fields.Binary(attachment=True)) ------------------------------------
    @api.model
    def _read_field_attachments(self, records, field_name: str) -> None:
        """Put the content of ``records``' attachment field ``field_name`` in their cache."""
        found = self.sudo().search([("res_model", "=", records._name), ("res_field", "=", field_name),
                                    ("res_id", "in", records.ids)])
        by_record = {attachment.res_id: attachment for attachment in found}
        for record in records:
            attachment = by_record.get(record.id)
            record[field_name] = attachment.datas if attachment else False

    @api.model
    def _write_field_attachments(self, records, field_name: str, value) -> None:
        """Store ``value`` (base64, or False to clear) as the attachment field ``field_name`` of ``records``."""
        attachments = self.sudo().with_context(active_test=False)
        for record in records:
            existing = attachments.search([("res_model", "=", records._name), ("res_field", "=", field_name),
                                           ("res_id", "=", record.id)], limit=1)
            if not value:
                existing.unlink()
            elif existing:
                existing.write({"datas": value})
            else:
                attachments.create({"name": field_name, "res_model": records._name, "res_field": field_name,
                                    "res_id": record.id, "datas": value})

    @api.model
    def _unlink_for_records(self, model: str, ids) -> None:
        """Delete the attachments of deleted records (their files go at the next garbage collection)."""
        self.sudo().search([("res_model", "=", model), ("res_id", "in", list(ids))]).unlink()
