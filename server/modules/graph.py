"""The dependency graph: which addons to install, in which order, and why not.

Order is by depth (1 + the deepest dependency), then by name, as Odoo does.
Every refusal names the dependency chain that leads to the problem.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil

from ..exceptions import ModuleError


def check_available(manifests: dict, name: str, chain: tuple[str, ...]) -> dict:
    path = " -> ".join(chain + (name,))
    manifest = manifests.get(name)
    if manifest is None:
        if chain:
            raise ModuleError(f"Addon {chain[-1]!r} depends on {name!r}, which is not in the addons path "
                              f"(chain: {path})", chain=chain + (name,))
        raise ModuleError(f"No addon named {name!r} in the addons path", chain=(name,))
    if manifest.get("error"):
        raise ModuleError(f"{manifest['error']} (chain: {path})", chain=chain + (name,))
    if not manifest["installable"]:
        raise ModuleError(f"Addon {name!r} is not installable (chain: {path})", chain=chain + (name,))
    return manifest


def closure(manifests: dict, names: list[str]) -> set[str]:
    """``names`` and everything they depend on, refusing missing addons and cycles."""
    result: set[str] = set()
    done: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in chain:
            cycle = chain[chain.index(name):] + (name,)
            raise ModuleError(f"Dependency cycle: {' -> '.join(cycle)}", chain=cycle)
        if name in done:
            return
        manifest = check_available(manifests, name, chain)
        for dep in manifest["depends"]:
            visit(dep, chain + (name,))
        done.add(name)
        result.add(name)

    for name in names:
        visit(name, ())
    return result


def with_auto_install(manifests: dict, wanted: set[str], installed: set[str]) -> set[str]:
    """Add the auto-install addons whose trigger dependencies will all be present."""
    wanted = set(wanted)
    while True:
        present = wanted | installed
        extra = {
            name for name, m in manifests.items()
            if name not in present and m.get("auto_install") is not None and not m.get("error")
            and m["installable"] and m["auto_install"] <= present
        }
        if not extra:
            return wanted
        wanted |= closure(manifests, sorted(extra))


def dependency_order(manifests: dict, names, strict: bool = True) -> list[str]:
    """Sort ``names`` by depth then name; with ``strict=False`` silently drop broken ones."""
    depth: dict[str, int] = {}

    def depth_of(name: str, chain: tuple[str, ...]) -> int:
        if name in depth:
            return depth[name]
        if name in chain:
            raise ModuleError(f"Dependency cycle: {' -> '.join(chain[chain.index(name):] + (name,))}",
                              chain=chain + (name,))
        deps = manifests[name]["depends"] if name in manifests else []
        depth[name] = 1 + max((depth_of(d, chain + (name,)) for d in deps if d in manifests), default=0)
        return depth[name]

    names = [n for n in names if n in manifests or strict]
    for name in names:
        depth_of(name, ())
    return sorted(names, key=lambda n: (depth[n], n))


def check_external_dependencies(manifest: dict) -> None:
    """Refuse an addon whose Python packages or executables are missing."""
    ext = manifest.get("external_dependencies") or {}
    missing = [p for p in ext.get("python", []) if not _python_available(p)]
    missing += [f"{b} (executable)" for b in ext.get("bin", []) if not shutil.which(b)]
    if missing:
        raise ModuleError(
            f"Unable to install addon {manifest['technical_name']!r} because an external dependency is not met: "
            f"{', '.join(missing)}", chain=(manifest["technical_name"],))


def _python_available(name: str) -> bool:
    if importlib.util.find_spec(name.replace("-", "_")) is not None:
        return True
    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def dependents(manifests: dict, names: set[str], among: set[str]) -> set[str]:
    """``names`` plus every addon in ``among`` that depends on them, directly or not."""
    result = set(names)
    changed = True
    while changed:
        changed = False
        for name in among - result:
            if set(manifests.get(name, {}).get("depends", [])) & result:
                result.add(name)
                changed = True
    return result
