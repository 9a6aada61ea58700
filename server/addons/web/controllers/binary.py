"""Files over HTTP: ``/web/content`` (attachments), ``/web/image`` (image fields), the company logo.

Access is the attachment's (it follows the attached record) or the record's for a field; a file
the user may not read answers 403, a missing one 404.  Responses carry an ``ETag`` (the content's
SHA-1): a client sending it back in ``If-None-Match`` gets ``304 Not Modified`` without the bytes.
"""
import base64
import hashlib
from urllib.parse import quote

from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

# A 1x1 transparent PNG: what an empty image field shows, as Odoo shows its placeholder.
PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


class Binary(http.Controller):
    @http.route(["/web/content/<int:id>", "/web/content/<int:id>/<string:filename>"], type="http",
                auth="public", methods=["GET", "HEAD"], readonly=True)
    def content(self, id, filename=None, download=None, access_token=None, unique=None, **_kw):
        """The file of attachment ``id`` (``?download=true``: as an attachment to save)."""
        return _serve(lambda: _attachment_file(id, access_token), download, filename)

    @http.route(["/web/content/<string:model>/<int:id>/<string:field>",
                 "/web/content/<string:model>/<int:id>/<string:field>/<string:filename>"], type="http",
                auth="public", methods=["GET", "HEAD"], readonly=True)
    def record_content(self, model, id, field, filename=None, download=None, **_kw):
        """The file in binary field ``field`` of record ``model(id)``."""
        return _serve(lambda: _field_file(model, id, field), download, filename)

    @http.route(["/web/image/<int:id>", "/web/image/<int:id>/<string:filename>"], type="http", auth="public",
                methods=["GET", "HEAD"], readonly=True)
    def image_attachment(self, id, filename=None, access_token=None, **_kw):
        return _serve(lambda: _attachment_file(id, access_token), None, filename)

    @http.route(["/web/image/<string:model>/<int:id>/<string:field>",
                 "/web/image/<string:model>/<int:id>/<string:field>/<string:filename>"], type="http",
                auth="public", methods=["GET", "HEAD"], readonly=True)
    def image(self, model, id, field, filename=None, **_kw):
        """The image in field ``field`` of ``model(id)``; a placeholder when the field is empty."""
        return _serve(lambda: _field_file(model, id, field, placeholder=True), None, filename)

    @http.route(["/web/binary/company_logo", "/logo", "/logo.png"], type="http", auth="none", methods=["GET", "HEAD"],
                readonly=True, save_session=False)
    def company_logo(self, dbname=None, company=None, **_kw):
        """The logo of ``company`` (else of the session user's company, else the main company)."""
        return _serve(lambda: _company_logo(company), None, "logo.png")


def _serve(find, download, filename):
    try:
        raw, mimetype, name = find()
    except MissingError:
        return request.make_response("Not Found", [("Content-Type", "text/plain")], status=404)
    except AccessError:
        return request.make_response("Forbidden", [("Content-Type", "text/plain")], status=403)
    except ValidationError as exc:
        return request.make_response(str(exc), [("Content-Type", "text/plain")], status=400)
    etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
    headers = [("Content-Type", mimetype), ("ETag", etag), ("Cache-Control", "private, max-age=0, must-revalidate"),
               ("X-Content-Type-Options", "nosniff")]
    if etag in request.httprequest.headers.get("If-None-Match", ""):
        return request.make_response(b"", headers, status=304)
    if str(download).lower() in ("1", "true", "yes"):
        disposition_name = filename or name or "file"
        headers.append(("Content-Disposition", f"attachment; filename*=UTF-8''{quote(disposition_name)}"))
    return request.make_response(raw, headers)


def _attachment_file(attachment_id: int, access_token=None) -> tuple[bytes, str, str]:
    attachment = request.env["ir.attachment"].sudo().browse(attachment_id).exists()
    if not attachment:
        raise MissingError(f"Attachment {attachment_id} does not exist")
    token = attachment.access_token
    if not (access_token and token and access_token == token):
        attachment.with_env(request.env)._check_attached("read")
    if attachment.type == "url":
        raise MissingError(f"Attachment {attachment_id} is a link, not a file")
    return attachment.raw, attachment.mimetype or "application/octet-stream", attachment.name


def _field_file(model: str, record_id: int, field_name: str, placeholder: bool = False) -> tuple[bytes, str, str]:
    env = request.env
    if model not in env:
        raise MissingError(f"Model {model!r} does not exist")
    field = env[model]._fields.get(field_name)
    if field is None or field.type != "binary" or field.secret:
        raise MissingError(f"{model} has no binary field {field_name!r}")
    record = env[model].browse(record_id)
    if not record.sudo().exists():
        raise MissingError(f"{model}({record_id}) does not exist")
    record.check_access_rights("read")
    record.check_access_rule("read")
    data = record.sudo()[field_name]
    raw = base64.b64decode(data) if data else b""
    if not raw:
        if not placeholder:
            raise MissingError(f"{model}({record_id}).{field_name} is empty")
        return PLACEHOLDER_PNG, "image/png", "placeholder.png"
    from odoo.addons.base.models.ir_attachment import guess_mimetype

    return raw, guess_mimetype(raw), f"{model}-{record_id}-{field_name}"


def _company_logo(company_id) -> tuple[bytes, str, str]:
    if not request.db:
        return PLACEHOLDER_PNG, "image/png", "logo.png"
    env = request.env(su=True) if request.env else None
    companies = env["res.company"]
    company = companies.browse(int(company_id)).exists() if str(company_id or "").isdigit() else None
    if not company and request.session.uid:
        company = env["res.users"].browse(request.session.uid).company_id
    company = company or env.ref("base.main_company", raise_if_not_found=False) or companies.search([], limit=1)
    raw = base64.b64decode(company.logo) if company and company.logo else b""
    if not raw:
        return PLACEHOLDER_PNG, "image/png", "logo.png"
    from odoo.addons.base.models.ir_attachment import guess_mimetype

    return raw, guess_mimetype(raw), "logo.png"
