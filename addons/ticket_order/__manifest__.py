{
    "name": "Ticket Orders",
    "version": "17.0.1.0.0",
    "summary": "Festival ticket orders run as a saga: reserve the tickets, request the payment, wait for its "
               "result, finish the order or release the reservation (the glastonbury2k seed)",
    "category": "Sales",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["saga"],
    "data": [
        "security/ticket_order_security.xml",
        "security/ir.model.access.csv",
    ],
    "demo": ["demo/ticket_order_demo.xml"],
    "installable": True,
    "application": True,
}
