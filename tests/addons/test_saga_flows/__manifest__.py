{
    "name": "Saga flows (tests)",
    "version": "1.0",
    "depends": ["saga"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
