"""Files over HTTP: /web/content, /web/image, /web/binary/company_logo, with access checks and ETags."""
import base64

import pytest
import requests

pytestmark = pytest.mark.addons("test_platform")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
                       "60e6kgAAAABJRU5ErkJggg==")


@pytest.fixture
def admin(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    return client


def test_web_content_serves_the_file_with_an_etag(live_server, admin):
    ticket_id = admin.call_kw("test_platform.ticket", "create", [{"name": "With file"}])
    attachment_id = admin.call_kw("ir.attachment", "create", [{
        "name": "report.pdf", "datas": base64.b64encode(b"%PDF-1.4 tiny").decode(),
        "res_model": "test_platform.ticket", "res_id": ticket_id}])
    response = admin.http.get(f"{live_server.url}/web/content/{attachment_id}?download=true", timeout=30)
    assert response.status_code == 200 and response.content == b"%PDF-1.4 tiny"
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment; filename*=UTF-8''report.pdf" in response.headers["Content-Disposition"]
    etag = response.headers["ETag"]
    again = admin.http.get(f"{live_server.url}/web/content/{attachment_id}", headers={"If-None-Match": etag},
                           timeout=30)
    assert again.status_code == 304 and again.content == b""
    anonymous = requests.get(f"{live_server.url}/web/content/{attachment_id}", timeout=30)
    assert anonymous.status_code == 403  # the public user may not read tickets
    assert admin.http.get(f"{live_server.url}/web/content/999999", timeout=30).status_code == 404


def test_web_image_serves_image_fields_and_a_placeholder(live_server, admin):
    ticket_id = admin.call_kw("test_platform.ticket", "create", [{"name": "img",
                                                                  "document": base64.b64encode(PNG).decode()}])
    empty_id = admin.call_kw("test_platform.ticket", "create", [{"name": "no img"}])
    image = admin.http.get(f"{live_server.url}/web/image/test_platform.ticket/{ticket_id}/document", timeout=30)
    assert image.status_code == 200 and image.content == PNG and image.headers["Content-Type"] == "image/png"
    placeholder = admin.http.get(f"{live_server.url}/web/image/test_platform.ticket/{empty_id}/document", timeout=30)
    assert placeholder.status_code == 200 and placeholder.headers["Content-Type"] == "image/png"
    denied = requests.get(f"{live_server.url}/web/image/test_platform.ticket/{ticket_id}/document", timeout=30)
    assert denied.status_code == 403
    missing = admin.http.get(f"{live_server.url}/web/image/test_platform.ticket/{ticket_id}/nope", timeout=30)
    assert missing.status_code == 404


def test_company_logo_is_public(live_server, admin):
    [company_id] = admin.call_kw("res.company", "search", [[]], {"limit": 1})
    admin.call_kw("res.company", "write", [[company_id], {"logo": base64.b64encode(PNG).decode()}])
    logo = requests.get(f"{live_server.url}/web/binary/company_logo?company={company_id}", timeout=30)
    assert logo.status_code == 200 and logo.content == PNG and logo.headers["ETag"]
