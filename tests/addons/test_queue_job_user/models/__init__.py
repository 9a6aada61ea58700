from . import queue_job_user
