import secrets

from . import controllers, models, service  # service: RabbitMQ consumers start with the HTTP server

CALLBACK_SECRET = "saga.callback_secret"


def post_init_hook(env) -> None:
    """Give the callback route a secret of its own; services are given it by an administrator."""
    parameters = env["ir.config_parameter"].sudo()
    if not parameters.get_param(CALLBACK_SECRET):
        parameters.set_param(CALLBACK_SECRET, secrets.token_hex(32))
