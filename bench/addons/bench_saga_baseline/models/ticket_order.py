"""The same steps as the ``ticket_order`` saga as plain jobs: reserve, request the payment, and, when the
provider's callback comes, finish.  No saga engine: no inbox, no timeline, no timeout, no compensation."""
from odoo import models
from odoo.addons.queue_job.delay import chain
from odoo.addons.ticket_order.services import inventory, payment


class TicketOrder(models.Model):
    _inherit = "ticket.order"

    def _bench_start_plain(self):
        chain(self.delayable(channel="root.saga")._bench_reserve(),
              self.delayable(channel="root.saga")._bench_request_payment()).delay()

    def _bench_reserve(self):
        inventory.reserve(self.env, self.uid, self.entries())

    def _bench_request_payment(self):
        payment.request_payment(self.env, self)

    def _bench_paid(self):
        """The provider's callback: the payment is in, the order is finished by a job."""
        self.with_delay(channel="root.saga")._bench_finish()

    def _bench_finish(self):
        inventory.sell(self.env, self.uid)
        self.write({"status": "COMPLETED"})
