"""Keep personal data out of run files: no host names, user names or home paths."""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket
from pathlib import Path


def _personal_strings() -> list[tuple[str, str]]:
    """(text, replacement) pairs, longest first so a home path wins over the user name inside it."""
    pairs: list[tuple[str, str]] = []
    home = str(Path.home())
    if home not in ("/", "/root", ""):
        pairs.append((home, "~"))
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    if len(user) >= 3 and user not in ("root", "runner", "user"):
        pairs.append((user, "<user>"))
    host = socket.gethostname()
    if len(host) >= 3 and host != "localhost":
        pairs.append((host, "<host>"))
        short = host.split(".")[0]
        if len(short) >= 3 and short != host:
            pairs.append((short, "<host>"))
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


_HOME_PATH = re.compile(r"(/home|/Users)/[^/\s]+")


def scrub_text(text: str) -> str:
    """Replace this machine's home path, user name and host name, and any /home/<name> path."""
    for needle, replacement in _personal_strings():
        text = text.replace(needle, replacement)
    return _HOME_PATH.sub("~", text)


def host_id() -> str:
    """A stable anonymous id of this machine: a salted hash, never the host name itself."""
    seed = ""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            seed = Path(path).read_text().strip()
            break
        except OSError:
            continue
    if not seed:
        seed = f"{socket.gethostname()}-{os.cpu_count()}"
    return hashlib.sha256(f"framebench:{seed}".encode()).hexdigest()[:16]
