"""Workers: claim jobs from the database and run each in its own transaction.

``channels`` parses ``root:4,root.analysis:8``; ``leases`` holds the claim, heartbeat, finish and
reap statements; ``runner`` runs one claimed job (the transaction boundary); ``worker`` is the
process-level loop (threads, wake-ups, heartbeats, reaper); ``service`` starts workers inside the
HTTP server.
"""
