from . import base, queue_job, queue_job_channel, queue_job_event, queue_job_function  # noqa: F401
