{
    "name": "Job Queue",
    "version": "17.0.1.0.0",
    "summary": "Durable jobs with OCA queue_job's API: with_delay(), graphs, retries, channels; workers on any "
               "number of machines claim jobs from the database, leases recover from crashed workers",
    "category": "Generic Modules",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "web_console"],
    "data": [
        "security/queue_job_security.xml",
        "security/ir.model.access.csv",
        "data/queue_data.xml",
        "data/queue_job_function_data.xml",
    ],
    "installable": True,
}
