"""A real OpenLDAP server (Debian's slapd) for the directory sign-in tests.

`Directory.start()` writes a slapd.conf in a temporary folder (the core, cosine,
inetorgperson and nis schemas from /etc/ldap/schema, the ppolicy module for its
`pwdAccountLockedTime` attribute, an mdb database), loads the people of `PEOPLE_LDIF`
with slapadd, starts slapd on a free loopback port and waits until it answers a search.
A missing slapd is an error, never a skipped test: the directory sign-in is tested or
the run fails.
"""

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

SUFFIX = "dc=huizhou,dc=gov,dc=cn"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "Root#Directory1"
SERVICE_DN = f"cn=reformledger,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "Service#Bind2026"
DENY_GROUP = f"cn=disabled,{GROUPS}"
STAFF_GROUP = f"cn=reform-office,{GROUPS}"

#: The people of the directory: user name → (full name, e-mail, password).
ACTIVE = "zhangwei"
DISABLED = "lina"
LOCKED = "wangfang"
ADMIN_NAMESAKE = "secadmin"
OUTSIDE_STAFF_GROUP = "liuyang"
PASSWORDS = {
    ACTIVE: "Directory#Zhang1",
    DISABLED: "Directory#Li2",
    LOCKED: "Directory#Wang3",
    ADMIN_NAMESAKE: "Directory#Namesake4",
    OUTSIDE_STAFF_GROUP: "Directory#Liu5",
}
NAMES = {
    ACTIVE: ("张伟", "zhangwei@huizhou.gov.cn"),
    DISABLED: ("李娜", "lina@huizhou.gov.cn"),
    LOCKED: ("王芳", "wangfang@huizhou.gov.cn"),
    ADMIN_NAMESAKE: ("冒名者", "namesake@huizhou.gov.cn"),
    OUTSIDE_STAFF_GROUP: ("刘洋", "liuyang@huizhou.gov.cn"),
}


def ssha(password: str) -> str:
    """A {SSHA} userPassword value, as slappasswd writes it."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 - LDAP's SSHA
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _person(uid: str, number: int, extra: str = "") -> str:
    full_name, mail = NAMES[uid]
    return (
        f"dn: uid={uid},{PEOPLE}\n"
        "objectClass: inetOrgPerson\nobjectClass: posixAccount\n"
        f"uid: {uid}\ncn: {full_name}\nsn: {full_name[0]}\nmail: {mail}\n"
        f"uidNumber: {10000 + number}\ngidNumber: 10000\nhomeDirectory: /home/{uid}\n"
        f"userPassword: {ssha(PASSWORDS[uid])}\n{extra}\n"
    )


def people_ldif() -> str:
    """The directory's entries: the tree, the service account, five people (an active
    one, one in the deny group, one locked by the password policy, one named like
    the security administrator, one outside the reform office's group) and groups."""
    ldif = (
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\n"
        "dc: huizhou\no: 惠州市人民政府\n\n"
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n\n"
        f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services\n\n"
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: reformledger\nuserPassword: {ssha(SERVICE_PASSWORD)}\n\n"
    )
    ldif += _person(ACTIVE, 1)
    ldif += _person(DISABLED, 2)
    ldif += _person(LOCKED, 3, "pwdAccountLockedTime: 000001010000Z\n")
    ldif += _person(ADMIN_NAMESAKE, 4)
    ldif += _person(OUTSIDE_STAFF_GROUP, 5)
    ldif += (
        f"dn: {DENY_GROUP}\nobjectClass: groupOfNames\ncn: disabled\n"
        f"member: uid={DISABLED},{PEOPLE}\n\n"
        f"dn: {STAFF_GROUP}\nobjectClass: groupOfNames\ncn: reform-office\n"
        + "".join(
            f"member: uid={uid},{PEOPLE}\n" for uid in (ACTIVE, DISABLED, LOCKED, ADMIN_NAMESAKE)
        )
        + "\n"
    )
    return ldif


def _config(folder: Path) -> str:
    schemas = "".join(
        f"include {SCHEMA_DIR / name}.schema\n"
        for name in ("core", "cosine", "inetorgperson", "nis")
    )
    return (
        f"{schemas}"
        f"modulepath {MODULE_DIR}\nmoduleload back_mdb\n"
        # Loaded for its schema (pwdAccountLockedTime), not as an overlay: a locked
        # entry still binds, so only the user filter can refuse it.
        "moduleload ppolicy\n"
        f"pidfile {folder / 'slapd.pid'}\nargsfile {folder / 'slapd.args'}\n"
        "database mdb\nmaxsize 16777216\n"
        f'suffix "{SUFFIX}"\nrootdn "{ROOT_DN}"\nrootpw {ROOT_PASSWORD}\n'
        f"directory {folder / 'db'}\n"
        "index objectClass eq\nindex uid eq\nindex member eq\n"
        "access to attrs=userPassword\n  by self write\n  by anonymous auth\n  by * none\n"
        f'access to *\n  by dn.exact="{SERVICE_DN}" read\n  by self read\n  by * none\n'
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Directory:
    """A running slapd on loopback: its URI and how to stop it."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rl-slapd-")))
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "Directory":
        for program in (SLAPD, SLAPADD):
            if not os.access(program, os.X_OK):
                raise RuntimeError(
                    f"{program} is missing: the directory sign-in tests need Debian's slapd "
                    "(scripts/test-setup installs it: apt-get install slapd ldap-utils)."
                )
        (self.folder / "db").mkdir()
        conf = self.folder / "slapd.conf"
        conf.write_text(_config(self.folder), encoding="utf-8")
        ldif = self.folder / "people.ldif"
        ldif.write_text(people_ldif(), encoding="utf-8")
        subprocess.run(  # noqa: S603 - fixed programs and arguments
            [SLAPADD, "-f", str(conf), "-l", str(ldif)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.port = _free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [SLAPD, "-h", f"{self.uri}/", "-f", str(conf), "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait(timeout)
        return self

    def _wait(self, timeout: float) -> None:
        import ldap

        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd stopped: {self.process.stderr.read().decode()[-2000:]}")
            try:
                conn = ldap.initialize(self.uri)
                conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 1)
                conn.simple_bind_s(SERVICE_DN, SERVICE_PASSWORD)
                conn.search_s(PEOPLE, ldap.SCOPE_ONELEVEL, f"(uid={ACTIVE})")
                conn.unbind_s()
                return
            except ldap.LDAPError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"slapd did not answer on {self.uri}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)
