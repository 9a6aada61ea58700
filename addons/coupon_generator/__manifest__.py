{
    "name": "Coupon Generator",
    "version": "1.0",
    "summary": "Generate unique discount coupon codes from templates, in resumable steps, and redeem them",
    "description": "Templates with static characters and placeholders (# digit, $ English letter, "
                   "@ Russian letter, your own), exact combination counts, sampling without replacement "
                   "from a CSPRNG, database-guaranteed uniqueness, optional check character, preview, "
                   "step-by-step processes that resume after a crash, CSV export, redemption checks.",
    "category": "Sales/Marketing",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["base", "web_console"],
    "data": [
        "security/coupon_groups.xml",
        "security/ir.model.access.csv",
        "data/coupon_placeholder_data.xml",
    ],
    "demo": ["demo/coupon_demo.xml"],
    "installable": True,
    "application": True,
}
