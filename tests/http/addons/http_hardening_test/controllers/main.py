"""Routes for the server's hardening tests: self-calls, worker limits, body limits, ``**options``."""
import os
import resource
import threading
import time

import requests
from odoo import http
from odoo.http import request

LARGE_BODY = 20 * 1024 * 1024


class HardeningTest(http.Controller):
    @http.route("/http_hardening_test/relay", type="json", auth="none")
    def relay(self, hold=0.2):
        """Call this very server over HTTP while holding this request's thread, as a self-paying IAP call does."""
        url = request.httprequest.host_url.rstrip("/") + "/http_hardening_test/pong"
        payload = {"jsonrpc": "2.0", "method": "call", "params": {"hold": hold}, "id": 1}
        inner = requests.post(url, json=payload, timeout=25).json()["result"]
        return {"outer": os.getpid(), "inner": inner}

    @http.route("/http_hardening_test/pong", type="json", auth="none")
    def pong(self, hold=0.0):
        time.sleep(min(float(hold), 2))
        return os.getpid()

    @http.route("/http_hardening_test/worker", type="json", auth="none")
    def worker(self):
        """Which process answers, and the limits it runs under."""
        return {"pid": os.getpid(), "address_space": resource.getrlimit(resource.RLIMIT_AS)[0],
                "thread": threading.current_thread().name}

    @http.route("/http_hardening_test/nap", type="json", auth="none")
    def nap(self, seconds):
        time.sleep(min(float(seconds), 10))
        return os.getpid()

    @http.route("/http_hardening_test/burn", type="json", auth="none")
    def burn(self, seconds):
        """Use CPU (not wall time) for up to ``seconds``."""
        deadline = time.thread_time() + min(float(seconds), 10)
        while time.thread_time() < deadline:
            pass
        return os.getpid()

    @http.route("/http_hardening_test/size", type="json", auth="none")
    def size(self, data=""):
        return len(data)

    @http.route("/http_hardening_test/large", type="json", auth="none", max_content_length=LARGE_BODY)
    def large(self, data=""):
        return len(data)

    @http.route("/http_hardening_test/form", type="http", auth="none", methods=["POST"], csrf=False)
    def form(self, data=""):
        return str(len(data))

    @http.route("/http_hardening_test/options", type="json", auth="none")
    def options(self, name, count=1, **options):
        return {"name": name, "count": count, "options": options}
