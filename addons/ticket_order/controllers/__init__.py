from . import demo_payment, inventory, orders
