{
    "name": "Sagas",
    "version": "17.0.1.0.0",
    "summary": "Orchestrated sagas: steps with compensations, retries, timeouts and waits for messages, "
               "run as queue_job jobs, with a timeline of every execution and incidents to act on",
    "category": "Technical",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "web", "queue_job"],
    "data": [
        "security/saga_security.xml",
        "security/ir.model.access.csv",
        "data/saga_data.xml",
    ],
    "installable": True,
    "post_init_hook": "post_init_hook",
}
