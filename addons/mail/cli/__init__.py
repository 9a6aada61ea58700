from . import mail_cmd
