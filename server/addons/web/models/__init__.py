from . import ir_http, ir_http_sessions
