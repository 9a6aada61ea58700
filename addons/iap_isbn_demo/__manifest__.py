{
    "name": "ISBN service demo: platform, provider and client on one server",
    "version": "1.0",
    "summary": "Funds the demo client account so the ISBN demo works right after installation",
    "category": "Hidden",
    "license": "LGPL-3",
    "depends": ["iap_platform", "iap_isbn_service", "iap_client"],
    "auto_install": True,
    "demo": ["demo/iap_isbn_demo.xml"],
}
