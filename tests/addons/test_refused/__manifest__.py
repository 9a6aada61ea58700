{
    "name": "Test refusal",
    "summary": "An addon using a field attribute the server does not implement: its install is refused",
    "version": "17.0.1.0.0",
    "depends": ["base"],
    "license": "LGPL-3",
}
