{
    "name": "Queue job user (test)",
    "version": "17.0.1.0.0",
    "summary": "An addon written against OCA queue_job's API, used by the queue_job tests",
    "depends": ["queue_job"],
    "data": ["security/ir.model.access.csv", "data/queue_job_data.xml"],
    "installable": True,
}
