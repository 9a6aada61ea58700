{
    "name": "Discuss (mail)",
    "version": "1.0",
    "summary": "Outgoing mail servers, queued mails with retries, Jinja2 mail templates, mail.thread",
    "description": "Odoo's outgoing mail models: ir.mail_server (SMTP, STARTTLS, SSL, login), mail.mail queued "
                   "and sent with retries, mail.template rendered by Jinja2 in a sandbox, and the mail.thread "
                   "mixin (message_post, followers, notification mails).",
    "category": "Productivity/Discuss",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [
        "security/ir.model.access.csv",
        "data/mail_message_subtype_data.xml",
        "data/mail_cron_data.xml",
    ],
    "installable": True,
    "application": False,
}
