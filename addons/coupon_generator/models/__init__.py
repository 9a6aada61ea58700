from . import coupon_coupon, coupon_placeholder, coupon_process, coupon_program, coupon_use
