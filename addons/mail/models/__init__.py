from . import (
    ir_mail_server,
    mail_followers,
    mail_mail,
    mail_message,
    mail_message_subtype,
    mail_template,
    mail_thread,
    res_partner,
)
