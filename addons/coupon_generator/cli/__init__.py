from . import coupons
