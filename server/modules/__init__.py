"""Addon discovery, dependency resolution, registries and the install/upgrade/uninstall phases."""
