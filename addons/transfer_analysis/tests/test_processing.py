"""One transfer analysed end to end against the fake source, the fake API and a real SMTP server."""
from __future__ import annotations

import pytest
from odoo.addons.transfer_analysis.tools.processor import InlineRetry, process_transfer, retry_writebacks

from .conftest import make_item

FAST = InlineRetry(max_attempts=3, base_delay=0.01)


def _receive(configured, firebase, transfer_key: str, **item_values) -> int:
    registry, source_id = configured
    item = make_item(**item_values)
    firebase.add_transfer(transfer_key, item, notify=False)
    with registry.cursor() as cr:
        env = registry.env(cr)
        kind, transfer = env["transfer.transfer"].receive_item(env["transfer.source"].browse(source_id), transfer_key,
                                                              item)
        assert kind in ("NEW", "OLD")
        return transfer.id


def _read(configured, transfer_id: int) -> dict:
    registry, _source = configured
    with registry.cursor() as cr:
        transfer = registry.env(cr)["transfer.transfer"].browse(transfer_id)
        summary = transfer.summary()
        summary["mail"] = transfer.mail_id.read(["state", "email_to", "subject", "body_html"])
        return summary


def _url(key_or_uid: str, n: int) -> str:
    return f"https://storage.example/cloud/{key_or_uid}/{n}.wav"


def test_a_transfer_is_analysed_written_back_and_mailed(configured, firebase, api, smtp_server):
    registry, _source = configured
    smtp = smtp_server()
    with registry.cursor() as cr:
        registry.env(cr)["ir.mail_server"].create({"name": "t", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                                   "smtp_authentication": "none"})
    transfer_id = _receive(configured, firebase, "T1", key="UID-T1")
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    result = _read(configured, transfer_id)
    urls = [_url("UID-T1", n) for n in (1, 2, 3)]  # the questionnaire's questions are elements 1, 2, 3
    assert [a["url"] for a in result["answers"]] == urls
    scores = [100 - api.risk_for(url) for url in urls]
    assert result["resume"] == "|".join(map(str, scores)) and result["codec"] == "ra7"
    assert [a["http_status"] for a in result["answers"]] == [200, 200, 200]
    assert result["answers"][0]["raw"]["Data"]["RISKREPQ"]
    assert [e["kind"] for e in result["events"]][::-1] == ["NEW", "COMPLETED", "WRITEBACK"]
    [patch] = firebase.patched("T1")
    assert patch["processed"] is True and patch["resultado"] == result["resume"] and patch["codec"] == "ra7"
    assert patch["date_final"].endswith("UTC")
    assert all(h["N-MS-AUTHCB"] == "top-secret-value" for h in api.headers_seen)
    [received] = smtp.messages
    assert received.envelope_to == ["ops@example.com"]
    assert "Ana Ruiz Paz" in received["Subject"] and result["resume"] in received["Subject"]
    assert "Acme SA" in received.get_body(("html",)).get_content()
    # a second run finds it done and calls nobody
    calls = api.total_calls()
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    assert api.total_calls() == calls and len(firebase.patched("T1")) == 1 and len(smtp.messages) == 1


def test_retryable_errors_are_retried(configured, firebase, api):
    registry, _source = configured
    transfer_id = _receive(configured, firebase, "T2")
    api.failures[_url("T2", 1)] = [429, 500]
    api.failures[_url("T2", 2)] = ["timeout"]
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    answers = _read(configured, transfer_id)["answers"]
    assert [a["state"] for a in answers] == ["done"] * 3
    assert api.calls[_url("T2", 1)] == 3 and api.calls[_url("T2", 2)] == 2 and api.calls[_url("T2", 3)] == 1


def test_retryable_errors_give_up_after_the_attempts(configured, firebase, api):
    registry, _source = configured
    transfer_id = _receive(configured, firebase, "T3")
    api.failures[_url("T3", 2)] = [503, 503, 503]
    assert process_transfer(registry, transfer_id, retry=FAST) == "failed"
    result = _read(configured, transfer_id)
    assert "gave up after 3 attempt(s)" in result["error"]
    assert [a["state"] for a in result["answers"]] == ["done", "pending", "pending"]
    assert firebase.patched("T3") == []
    # an operator retries: only the missing answers are asked again
    with registry.cursor() as cr:
        registry.env(cr)["transfer.transfer"].browse(transfer_id).action_retry()
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    assert api.calls[_url("T3", 1)] == 1 and api.calls[_url("T3", 2)] == 4


def test_a_4xx_answer_fails_the_transfer_with_the_answer_stored(configured, firebase, api):
    registry, _source = configured
    transfer_id = _receive(configured, firebase, "T4")
    api.failures[_url("T4", 2)] = [404]
    assert process_transfer(registry, transfer_id, retry=FAST) == "failed"
    result = _read(configured, transfer_id)
    failed = result["answers"][1]
    assert (failed["state"], failed["http_status"], failed["raw"]) == ("failed", 404, {"error": "planned 404"})
    assert "HTTP 404" in result["error"] and api.calls[_url("T4", 2)] == 1
    assert result["answers"][2]["state"] == "pending"


@pytest.mark.parametrize("planned, problem", [("not-json", "not JSON"), ("no-risk", "no RISKREPQ")])
def test_unreadable_answers_count_as_60_and_are_recorded(configured, firebase, api, planned, problem):
    registry, _source = configured
    transfer_id = _receive(configured, firebase, "T5")
    api.failures[_url("T5", 3)] = [planned]
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    result = _read(configured, transfer_id)
    last = result["answers"][2]
    assert (last["state"], last["risk"], last["score"]) == ("invalid", 60, 40) and problem in last["error"]
    assert result["resume"].endswith("|40")
    assert any(e["kind"] == "ERR" and problem in e["detail"] for e in result["events"])


def test_bad_transfers_fail_with_their_reason(configured, firebase, api):
    registry, _source = configured
    unknown = _receive(configured, firebase, "T6", questionnaire="nope")
    assert process_transfer(registry, unknown, retry=FAST) == "failed"
    assert "unknown questionnaire 'nope'" in _read(configured, unknown)["error"]
    firebase.db["Encuestas"]["empty"] = {"cuestionario": [{"tipo": "intro"}]}
    empty = _receive(configured, firebase, "T7", questionnaire="empty")
    assert process_transfer(registry, empty, retry=FAST) == "failed"
    assert "has no question" in _read(configured, empty)["error"]
    assert api.total_calls() == 0


def test_a_failed_write_back_is_retried_not_lost(configured, firebase, api):
    registry, _source = configured
    transfer_id = _receive(configured, firebase, "T8")
    firebase.patch_failures = 1
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    result = _read(configured, transfer_id)
    assert result["writeback"] == "pending" and firebase.patched("T8") == []
    assert retry_writebacks(registry) == 1
    assert _read(configured, transfer_id)["writeback"] == "done" and len(firebase.patched("T8")) == 1
    assert retry_writebacks(registry) == 0


def test_no_recipients_means_no_mail_and_an_error_event(configured, firebase, api):
    registry, _source = configured
    with registry.cursor() as cr:
        registry.env(cr).ref("base.main_company").transfer_report_email_to = False
    transfer_id = _receive(configured, firebase, "T9")
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    result = _read(configured, transfer_id)
    assert result["mail"] == []
    assert any(e["kind"] == "ERR" and "no transfer summary recipients" in e["detail"] for e in result["events"])


def test_the_api_secret_is_never_logged(configured, firebase, api, caplog):
    registry, _source = configured
    transfer_id = _receive(configured, firebase, "T10")
    api.failures[_url("T10", 1)] = [500]
    with caplog.at_level("DEBUG"):
        process_transfer(registry, transfer_id, retry=FAST, log=lambda step, message: None)
    assert "db-token" not in caplog.text  # the source's auth parameter (urllib3 logs request lines)
    assert "top-secret-value" not in caplog.text
    assert "auth=***" in caplog.text


def test_a_changed_setting_or_source_is_used_by_the_next_run(configured, firebase, api):
    """The parameters and the source are kept in a process cache between runs: a change empties it."""
    registry, source_id = configured
    assert process_transfer(registry, _receive(configured, firebase, "S1"), retry=FAST) == "done"
    with registry.cursor() as cr:
        registry.env(cr)["ir.config_parameter"].set_param("transfer_analysis.api_auth_value", "rotated-secret")
    seen = len(api.headers_seen)
    assert process_transfer(registry, _receive(configured, firebase, "S2"), retry=FAST) == "done"
    assert {h["N-MS-AUTHCB"] for h in api.headers_seen[seen:]} == {"rotated-secret"}
    with registry.cursor() as cr:
        registry.env(cr)["transfer.source"].browse(source_id).storage_url = "https://other-storage.example"
    transfer_id = _receive(configured, firebase, "S3")
    assert process_transfer(registry, transfer_id, retry=FAST) == "done"
    assert {a["url"].split("/cloud/")[0] for a in _read(configured, transfer_id)["answers"]} == {
        "https://other-storage.example"}
