"""Find addons in the addons path and read their manifests without executing them."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from .. import release
from ..exceptions import ModuleError

MANIFEST_NAMES = ("__manifest__.py", "__openerp__.py")
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
VERSION_RE = re.compile(r"^\d+(\.\d+){1,4}$")
DEFAULTS = {
    "version": "1.0", "depends": [], "data": [], "demo": [], "installable": True, "auto_install": False,
    "application": False, "external_dependencies": {}, "license": "LGPL-3", "pre_init_hook": "",
    "post_init_hook": "", "uninstall_hook": "", "summary": "", "description": "", "author": "",
    "category": "Uncategorized", "sequence": 100, "website": "",
}
LIST_KEYS = ("depends", "data", "demo")
BOOL_KEYS = ("installable", "application")
HOOK_KEYS = ("pre_init_hook", "post_init_hook", "uninstall_hook")


def adapt_version(version: str) -> str:
    """Prefix a module version with the server series: ``'1.0'`` -> ``'17.0.1.0'``."""
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise ValueError(f"Invalid version {version!r}: use x.y, x.y.z or {release.serie}.x.y[.z]")
    if version == release.serie or not version.startswith(release.serie + "."):
        version = f"{release.serie}.{version}"
    return version


def parse_manifest(path: Path) -> dict:
    """Read and validate one manifest; raise ModuleError describing the first problem."""
    module = path.parent.name
    try:
        data = ast.literal_eval(path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError) as exc:
        raise ModuleError(f"Invalid manifest of addon {module!r} ({path}): not a Python literal: {exc}",
                          chain=(module,)) from None
    if not isinstance(data, dict):
        raise ModuleError(f"Invalid manifest of addon {module!r}: expected a dict, got {type(data).__name__}",
                          chain=(module,))
    manifest = {**DEFAULTS, **data}
    problems = list(_problems(manifest))
    if problems:
        raise ModuleError(f"Invalid manifest of addon {module!r}: {'; '.join(problems)}", chain=(module,))
    manifest["version"] = adapt_version(manifest["version"])
    manifest["technical_name"] = module
    manifest["path"] = str(path.parent)
    if manifest["auto_install"] is True:
        manifest["auto_install"] = set(manifest["depends"])
    elif manifest["auto_install"] is False:
        manifest["auto_install"] = None
    else:
        manifest["auto_install"] = set(manifest["auto_install"])
    return manifest


def _problems(manifest: dict):
    if not isinstance(manifest.get("name"), str) or not manifest["name"].strip():
        yield "'name' is required and must be text"
    for key in LIST_KEYS:
        value = manifest[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            yield f"{key!r} must be a list of strings"
    for key in BOOL_KEYS:
        if not isinstance(manifest[key], bool):
            yield f"{key!r} must be True or False"
    for key in HOOK_KEYS:
        if not isinstance(manifest[key], str):
            yield f"{key!r} must be the name of a function in the addon's __init__.py"
    auto = manifest["auto_install"]
    if not isinstance(auto, (bool, list)):
        yield "'auto_install' must be True, False or a list of dependencies"
    elif isinstance(auto, list) and isinstance(manifest["depends"], list) and not set(auto) <= set(manifest["depends"]):
        yield f"'auto_install' lists {sorted(set(auto) - set(manifest['depends']))} which are not in 'depends'"
    ext = manifest["external_dependencies"]
    if not isinstance(ext, dict) or not all(isinstance(v, list) for v in ext.values()):
        yield "'external_dependencies' must be a dict like {'python': [...], 'bin': [...]}"
    try:
        adapt_version(manifest["version"])
    except ValueError as exc:
        yield str(exc)


def discover(paths: list[Path]) -> dict[str, dict]:
    """``{name: manifest}`` for every addon directory in ``paths`` (first path wins).

    An addon whose manifest is invalid is listed with ``error`` set, so that it
    is refused only when someone asks for it.
    """
    found: dict[str, dict] = {}
    for root in paths:
        for child in sorted(Path(root).iterdir()):
            if child.name in found or not NAME_RE.match(child.name) or not child.is_dir():
                continue
            manifest_path = next((child / n for n in MANIFEST_NAMES if (child / n).is_file()), None)
            if manifest_path is None:
                continue
            try:
                found[child.name] = parse_manifest(manifest_path)
            except ModuleError as exc:
                found[child.name] = {"technical_name": child.name, "path": str(child), "error": str(exc),
                                     "installable": False, "depends": [], "version": "0", "name": child.name,
                                     "auto_install": None}
    return found
