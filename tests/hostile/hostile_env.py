"""What the hostile suite's fixtures and tests share (kept out of conftest.py, which other
suites' conftest.py files shadow when pytest collects several directories at once)."""

from urllib.parse import quote

from harness import FerretDB

DATABASE = "pacman_hostile"


def plain_uri(ferret_db: FerretDB, user: str, password: str, database: str) -> str:
    return (f"mongodb://{quote(user, safe='')}:{quote(password, safe='')}@{ferret_db.address}/"
            f"{database}?replicaSet=rs0&authMechanism=PLAIN&authSource=%24external")
