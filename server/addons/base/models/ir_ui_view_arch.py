"""View archs as XML: parse and check them, apply extension views (xpath and positions).

Pure functions over strings and lxml elements, so the rules can be read and tested alone.
An extension arch is one *spec* or a ``<data>`` of specs; a spec locates a node of the parent
arch (``<xpath expr="//field[@name='x']">``, or an element of the parent with the same tag and
attributes, ``<field name="x">``) and says where its children go with ``position``:
``inside`` (the default), ``after``, ``before``, ``replace`` or ``attributes``
(``<attribute name="invisible">1</attribute>``, or ``add``/``remove`` of comma-separated values).
Inside a spec, ``<xpath expr=... position="move"/>`` moves an existing node there.
"""
from __future__ import annotations

from lxml import etree
from odoo.exceptions import ValidationError

POSITIONS = ("inside", "after", "before", "replace", "attributes")


def parse_arch(arch: str) -> etree._Element:
    """The root element of ``arch``; ValidationError naming the line for anything but well-formed XML."""
    if not isinstance(arch, (str, bytes)) or not str(arch).strip():
        raise ValidationError("A view needs an arch: an XML document such as <form>...</form>")
    try:
        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
        return etree.fromstring(arch.encode() if isinstance(arch, str) else arch, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"Invalid view arch: {exc}") from None


def to_string(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def combine_arch(base: str, extensions: list[tuple[str, str]]) -> str:
    """``base`` with each ``(view name, arch)`` extension applied in order."""
    root = parse_arch(base)
    for name, arch in extensions:
        root = apply_extension(root, parse_arch(arch), name)
    return to_string(root)


def apply_extension(root: etree._Element, extension: etree._Element, name: str = "") -> etree._Element:
    """Apply every spec of ``extension`` to ``root`` (changed in place; the new root returned)."""
    specs = list(extension) if extension.tag == "data" else [extension]
    holder = etree.Element("holder")
    holder.append(root)
    for spec in specs:
        if not isinstance(spec.tag, str):
            continue  # comments
        target = locate(holder, spec)
        if target is None:
            raise ValidationError(f"View {name!r}: element {_describe(spec)} cannot be located in the parent view")
        apply_spec(target, spec, holder, name)
    return holder[0]


def locate(holder: etree._Element, spec: etree._Element):
    """The node of the arch under ``holder`` that ``spec`` designates, or None."""
    if spec.tag == "xpath":
        expr = spec.get("expr") or ""
        try:
            # Absolute paths start at the view's root (held by ``holder``), relative ones from it.
            found = holder.xpath("." + expr) if expr.startswith("/") else holder[0].xpath(expr)
        except etree.XPathError as exc:
            raise ValidationError(f"Invalid xpath {expr!r}: {exc}") from None
        return found[0] if found and isinstance(found[0], etree._Element) else None
    wanted = {k: v for k, v in spec.attrib.items() if k not in ("position", "version")}
    for node in holder.iter(spec.tag):
        if all(node.get(k) == v for k, v in wanted.items()):
            return node
    return None


def apply_spec(target, spec, holder, name: str) -> None:
    position = spec.get("position", "inside")
    if position not in POSITIONS:
        raise ValidationError(f"View {name!r}: invalid position {position!r} (use {', '.join(POSITIONS)})")
    children = [_resolve_moves(child, holder, name) for child in spec]
    if position == "attributes":
        _apply_attributes(target, spec, name)
    elif position == "inside":
        for child in children:
            target.append(child)
    elif position == "replace":
        parent = target.getparent()
        if parent is None or (parent is holder and len(children) != 1):
            raise ValidationError(f"View {name!r}: the root of a view can only be replaced by one element")
        _insert_siblings(target, children, after=True)
        _remove(target)
    else:
        _insert_siblings(target, children, after=position == "after")


def _resolve_moves(child, holder, name: str):
    """A child ``<xpath position="move"/>`` stands for the node it locates, taken from its place."""
    if child.tag == "xpath" and child.get("position") == "move":
        node = locate(holder, child)
        if node is None:
            raise ValidationError(f"View {name!r}: element {_describe(child)} to move cannot be located")
        _remove(node)
        return node
    return child


def _insert_siblings(target, nodes: list, after: bool) -> None:
    anchor = target
    for node in nodes:
        if after:
            anchor.addnext(node)
            anchor = node
        else:
            target.addprevious(node)


def _remove(node) -> None:
    """Detach ``node``, keeping the text that followed it."""
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _apply_attributes(target, spec, name: str) -> None:
    for attribute in spec:
        if attribute.tag != "attribute" or not attribute.get("name"):
            raise ValidationError(f"View {name!r}: position='attributes' takes <attribute name=...> children only")
        key = attribute.get("name")
        if attribute.get("add") or attribute.get("remove"):
            separator = attribute.get("separator", ",")
            values = [v.strip() for v in (target.get(key) or "").split(separator) if v.strip()]
            values = [v for v in values if v not in [r.strip() for r in attribute.get("remove", "").split(separator)]]
            values += [a.strip() for a in attribute.get("add", "").split(separator) if a.strip() and a not in values]
            target.set(key, separator.join(values)) if values else target.attrib.pop(key, None)
        elif attribute.text:
            target.set(key, attribute.text)
        else:
            target.attrib.pop(key, None)


def _describe(spec) -> str:
    attributes = " ".join(f'{k}="{v}"' for k, v in spec.attrib.items() if k != "position")
    return f"<{spec.tag} {attributes}>"


def field_names(root: etree._Element) -> list[str]:
    """The names of the fields an arch shows on its own model (not inside sub-views of x2many fields)."""
    names: list[str] = []

    def walk(node, nested: bool) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field" and child.get("name"):
                if not nested and child.get("name") not in names:
                    names.append(child.get("name"))
                walk(child, True)
            else:
                walk(child, nested)
    walk(root, False)
    return names
