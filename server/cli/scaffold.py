"""``odoo-bin.py scaffold NAME [DEST]``: a new addon that installs and whose test passes."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..config import ROOT
from .command import CommandError, command

TEMPLATES = Path(__file__).parent / "templates" / "scaffold"


@command("scaffold", help="create a new addon skeleton: scaffold NAME [DEST]")
def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="odoo-bin.py scaffold", description="Create a new addon.")
    parser.add_argument("name", help="technical name (lowercase letters, digits, underscores)")
    parser.add_argument("dest", nargs="?", default=str(ROOT / "addons"), help="directory to create it in")
    args = parser.parse_args(argv)
    target = create_addon(args.name, Path(args.dest))
    print(target)
    return 0


def create_addon(name: str, dest: Path) -> Path:
    """Render the scaffold templates into ``dest/name``; refuse to overwrite anything."""
    if not re.match(r"^[a-z][a-z0-9_]*$", name):
        raise CommandError(f"invalid addon name {name!r}: use lowercase letters, digits and underscores")
    target = dest / name
    if target.exists():
        raise CommandError(f"{target} already exists")
    values = {"name": name, "title": name.replace("_", " ").title(), "model": f"{name}.{name}",
              "model_table": name}
    values["model_xml"] = values["model"].replace(".", "_")
    values["title_class"] = "".join(part.title() for part in name.split("_"))
    for template in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATES).as_posix().removesuffix(".tmpl").replace("NAME", name)
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(template.read_text(encoding="utf-8").format(**values), encoding="utf-8")
    return target
