{
    "name": "HTTP test routes",
    "version": "1.0",
    "summary": "Routes of every kind, used only by the HTTP layer's tests and bench/rpc.py",
    "license": "LGPL-3",
    "depends": ["web"],
    "installable": True,
}
