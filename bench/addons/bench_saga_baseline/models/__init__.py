from . import ticket_order
