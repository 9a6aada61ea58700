{
    "name": "Transfer Analysis",
    "version": "1.0",
    "summary": "Analyse recorded questionnaires streamed from a Firebase database with a voice-analysis API",
    "description": "The cloudDaemon seed as an addon: a Firebase Realtime Database stream consumer, transfers "
                   "deduplicated by key, answers analysed concurrently with retries, scores by the seed's "
                   "RISKREPQ rule, results written back to the source and mailed to per-company recipients, "
                   "a JSON-RPC intake and an operator CLI.",
    "category": "Services",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "mail", "queue_job", "web_console"],
    "data": [
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/transfer_data.xml",
        "data/mail_template_data.xml",
        "data/transfer_cron.xml",
    ],
    "installable": True,
    "application": True,
}
