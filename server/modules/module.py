"""Where addons are and what their manifests say, as ``odoo.modules.module`` answers it.

Addon code asks these to find its own files (``get_module_resource``,
``get_resource_path``) and other addons' manifests (``get_manifest``).
"""
from __future__ import annotations

import os

from .. import addons as addons_package
from .manifest import MANIFEST_NAMES, parse_manifest

MANIFEST_NAMES = MANIFEST_NAMES


def get_module_path(module: str, downloaded: bool = False, display_warning: bool = True) -> str | bool:
    """The directory of addon ``module`` in the addons path, or False."""
    for root in addons_package.__path__:
        path = os.path.join(root, module)
        if any(os.path.isfile(os.path.join(path, name)) for name in MANIFEST_NAMES):
            return path
    return False


def get_resource_path(module: str, *args: str) -> str | bool:
    """The path of ``args`` inside addon ``module`` if that file exists, else False."""
    path = get_module_path(module)
    if not path:
        return False
    resource = os.path.join(path, *args)
    return resource if os.path.exists(resource) else False


get_module_resource = get_resource_path


def get_manifest(module: str, mod_path: str | None = None) -> dict:
    """The manifest of ``module`` with defaults filled in ({} when there is no such addon)."""
    path = mod_path or get_module_path(module)
    if not path:
        return {}
    for name in MANIFEST_NAMES:
        manifest_path = os.path.join(path, name)
        if os.path.isfile(manifest_path):
            from pathlib import Path

            return parse_manifest(Path(manifest_path))
    return {}


load_manifest = get_manifest


def load_information_from_description_file(module: str, mod_path: str | None = None) -> dict:
    """Odoo's older name of ``get_manifest``."""
    return get_manifest(module, mod_path)
