"""Small helpers shared by the framework and addons."""
