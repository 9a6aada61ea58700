{
    "name": "HTTP hardening test routes",
    "version": "1.0",
    "summary": "Routes that call this server over HTTP, burn time, or take big bodies: used by tests/http only",
    "license": "LGPL-3",
    "depends": ["web"],
    "installable": True,
}
