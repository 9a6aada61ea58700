# Written as for OCA's queue_job: nothing here knows it runs on another server.
import os
import time

from odoo import api, fields, models
from odoo.addons.queue_job.delay import chain, group
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact


class QueueJobTest(models.Model):
    _name = "test.queue.job"
    _description = "Test model for queue jobs"

    name = fields.Char()
    counter = fields.Integer()

    def testing_method(self, *args, **kwargs):
        """Method used for tests

        Return always the arguments and keyword arguments received
        """
        if kwargs.get("raise_retry"):
            raise RetryableJobError("Must be retried later")
        if kwargs.get("return_context"):
            return self.env.context
        return args, kwargs

    def no_description(self):
        return

    def job_with_retry_pattern(self):
        return

    def job_alter_mutable(self, mutable_arg, mutable_kwarg=None):
        mutable_arg.append(2)
        mutable_kwarg["b"] = 2
        return mutable_arg, mutable_kwarg

    def delay_me(self, arg, kwarg=None):
        return arg, kwarg

    def record_run(self, key):
        """Record one run of ``key`` (a unique constraint makes a second run fail)."""
        self.env["test.queue.job.run"].create({"key": key, "pid": os.getpid()})
        return key

    def increment(self):
        for record in self:
            record.counter += 1

    def sleep_then_record(self, key, seconds):
        time.sleep(seconds)
        return self.record_run(key)

    def release_then_sleep(self, key, seconds):
        """Give the channel's capacity back (committed), then take ``seconds`` before recording ``key``."""
        from odoo.addons.queue_job.worker.runner import release_capacity

        released = release_capacity(self.env)
        self.env.cr.commit(write_lock=False)  # SQLite: no write lock held while sleeping
        time.sleep(seconds)
        self.record_run(key)
        return released

    @staticmethod
    def _count_try(path):
        """Append this try to the file ``path`` (outside any transaction, which a failure rolls back)."""
        with open(path, "a") as tries:
            tries.write(f"{os.getpid()}\n")
        with open(path) as tries:
            return len(tries.readlines())

    def kill_worker(self, path):
        """Count the try, then kill the worker process running this job."""
        self._count_try(path)
        os.kill(os.getpid(), 9)

    def kill_worker_once(self, path, key):
        """Kill the worker on the first try only; record the run on the next."""
        if self._count_try(path) == 1:
            os.kill(os.getpid(), 9)
        return self.record_run(key)

    def retry_until(self, path, tries):
        """Raise RetryableJobError until the ``tries``-th try."""
        done = self._count_try(path)
        if done < tries:
            raise RetryableJobError("not yet", seconds=1)
        return done

    def fail_with(self, message):
        raise ValueError(message)

    @api.model
    def button_that_uses_with_delay(self):
        self.with_delay(
            channel="root.test",
            description="Test",
            eta=15,
            identity_key=identity_exact,
            max_retries=1,
            priority=15,
        ).testing_method(1, foo=2)

    @api.model
    def button_that_uses_delayable_chain(self):
        delayables = chain(
            self.delayable(
                channel="root.test",
                description="Test",
                eta=15,
                identity_key=identity_exact,
                max_retries=1,
                priority=15,
            ).testing_method(1, foo=2),
            self.delayable().testing_method("x", foo="y"),
            self.delayable().no_description(),
        )
        delayables.delay()

    def button_graph(self):
        """a, then b and c side by side, then d."""
        a = self.delayable().record_run("graph:a")
        b = self.delayable().record_run("graph:b")
        c = self.delayable().record_run("graph:c")
        d = self.delayable().record_run("graph:d")
        chain(a, group(b, c), d).delay()


class QueueJobRun(models.Model):
    _name = "test.queue.job.run"
    _description = "One run of a test job"
    _log_access = False

    key = fields.Char(required=True)
    pid = fields.Integer()

    _sql_constraints = [("key_uniq", "unique(key)", "This job already ran")]
