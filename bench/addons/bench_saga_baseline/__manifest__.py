{
    "name": "Saga benchmark baseline",
    "version": "1.0",
    "summary": "The ticket order's steps as plain chained jobs, without the saga engine (bench/saga.py)",
    "depends": ["ticket_order"],
    "data": ["data/job_functions.xml"],
    "installable": True,
}
