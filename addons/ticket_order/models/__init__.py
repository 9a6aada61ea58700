from . import ir_config_parameter, ticket_inventory, ticket_order
