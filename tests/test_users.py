"""Users: hashed passwords, authentication, the admin password rules."""
import subprocess
import sys

import pytest

from server.config import ROOT
from server.exceptions import AccessDenied


def test_passwords_are_stored_hashed_and_never_read(env):
    user = env["res.users"].create({"name": "Ann", "login": "ann", "password": "s3cret!"})
    stored = env.cr.execute("SELECT password FROM res_users WHERE id = %s", (user.id,)).fetchone()[0]
    assert stored.startswith("$scrypt$") and "s3cret!" not in stored
    assert user.read(["password"])[0]["password"] is False
    assert env["res.users"]._login("ann", "s3cret!") == user.id
    with pytest.raises(AccessDenied):
        env["res.users"]._login("ann", "wrong")
    with pytest.raises(AccessDenied):
        env["res.users"]._login("nobody", "s3cret!")


def test_inactive_user_cannot_log_in(env):
    user = env["res.users"].create({"name": "Bob", "login": "bob", "password": "pw-bob-1"})
    user.active = False
    with pytest.raises(AccessDenied):
        env["res.users"]._login("bob", "pw-bob-1")


def test_groups_imply_groups(env):
    admin = env.ref("base.user_admin")
    assert admin.has_group("base.group_system") and admin.has_group("base.group_user")
    demo = env.ref("base.user_demo")
    assert demo.has_group("base.group_user") and not demo.has_group("base.group_system")
    assert env["res.users"].with_user(demo).context_get() == {"lang": "en_US", "tz": False, "uid": demo.id}


def test_demo_database_admin_password_is_admin(env):
    assert env["res.users"]._login("admin", "admin") == 2


def test_without_demo_admin_password_is_generated_and_printed_once(tmp_path):
    args = [sys.executable, "odoo-bin.py", "-d", "nodemo", "--data-dir", str(tmp_path), "--without-demo", "all"]
    first = subprocess.run([*args, "-i", "base", "--stop-after-init"], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    [line] = [ln for ln in first.stderr.splitlines() if "Generated password" in ln]
    password = line.rsplit(" ", 1)[1]
    assert password != "admin" and len(password) >= 16
    check = (f"print(env['res.users']._login('admin', {password!r}), "
             "env['res.partner'].search_count([('name', '=', 'Agrolait')]))\n")
    shell = subprocess.run([sys.executable, "odoo-bin.py", "shell", *args[2:-2]], cwd=ROOT, input=check,
                           capture_output=True, text=True, timeout=60)
    assert shell.stdout.strip() == "2 0"
    again = subprocess.run([*args, "-u", "base", "--stop-after-init"], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 0 and "Generated password" not in again.stderr


def test_credential_check_cache_follows_password_changes(env):
    user = env["res.users"].create({"name": "Cy", "login": "cy", "password": "first-pass"})
    users = env["res.users"]
    users.check_credentials_of(user.id, "first-pass")
    users.check_credentials_of(user.id, "first-pass")  # remembered
    user.password = "second-pass"
    with pytest.raises(AccessDenied):
        users.check_credentials_of(user.id, "first-pass")
    users.check_credentials_of(user.id, "second-pass")
    user.active = False
    with pytest.raises(AccessDenied):
        users.check_credentials_of(user.id, "second-pass")
    for bad_uid in (None, True, "2", 0, 10 ** 9):
        with pytest.raises(AccessDenied):
            users.check_credentials_of(bad_uid, "second-pass")


def test_password_hashes_cannot_be_searched_or_sorted(env):
    from server.exceptions import ValidationError

    demo_users = env["res.users"].with_user(env.ref("base.user_demo"))
    for domain in ([("password", "=like", "$scrypt$%")], [("password", "!=", False)],
                   ["|", ("login", "=", "x"), ("password", "ilike", "a")]):
        with pytest.raises(ValidationError, match="cannot be searched"):
            demo_users.search(domain)
    with pytest.raises(ValidationError):
        demo_users.search([], order="password")
    assert env["res.users"].fields_get(["password"])["password"]["searchable"] is False
