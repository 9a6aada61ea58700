"""Addresses and RFC 5322 messages, on the standard library's ``email`` package."""
from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, make_msgid

EMAIL_PATTERN = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def email_split(text: str | list | None) -> list[str]:
    """The bare addresses in ``'A <a@x.org>, b@y.org'`` (or a list of such strings), in order."""
    if not text:
        return []
    items = text if isinstance(text, list) else [text]
    return [address for _name, address in getaddresses(items) if address]


def email_split_and_format(text: str | list | None) -> list[str]:
    """Each address of ``text`` as ``'Name <a@x.org>'`` (or the bare address)."""
    items = text if isinstance(text, list) else [text] if text else []
    return [formataddr((name, address)) for name, address in getaddresses(items) if address]


def invalid_addresses(text: str | list | None) -> list[str]:
    """The addresses of ``text`` that do not look like ``local@domain.tld``."""
    return [address for address in email_split(text) if not EMAIL_PATTERN.match(address)]


def format_partner(name: str, email: str) -> str:
    return formataddr((name or "", email))


def build_message(email_from: str, email_to, subject: str, body: str, email_cc=None, reply_to=None,
                  subtype: str = "plain", headers: dict | None = None, message_id: str | None = None,
                  body_alternative: str | None = None) -> EmailMessage:
    """An ``EmailMessage``; an HTML body gets a plain-text alternative."""
    message = EmailMessage()
    message["Subject"] = subject or ""
    message["From"] = email_from
    message["To"] = ", ".join(email_split_and_format(email_to))
    if email_cc:
        message["Cc"] = ", ".join(email_split_and_format(email_cc))
    if reply_to:
        message["Reply-To"] = reply_to
    message["Message-Id"] = message_id or make_msgid()
    for name, value in (headers or {}).items():
        message[name] = value
    if subtype == "html":
        message.set_content(body_alternative or html_to_text(body))
        message.add_alternative(body or "", subtype="html")
    else:
        message.set_content(body or "")
    return message


def envelope_recipients(message: EmailMessage) -> list[str]:
    """Every address of To, Cc and Bcc, once each."""
    fields = [value for name in ("To", "Cc", "Bcc") for value in message.get_all(name, [])]
    return list(dict.fromkeys(email_split(fields)))


def html_to_text(html: str) -> str:
    """A readable plain-text rendering of a small HTML body (tags dropped, paragraphs kept)."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</h\d>|</tr>", "\n", html or "")
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"&nbsp;", " ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\n{3,}", "\n\n", text).strip()
