from . import ir_config_parameter, saga_instance, saga_message, saga_step
