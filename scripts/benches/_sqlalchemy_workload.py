"""The ORM workload of ``scripts/bench sqlalchemy``, run in a child interpreter.

``python _sqlalchemy_workload.py ours|peer CONFIG_JSON`` runs it through our
dialect or through sqlalchemy-aurora-data-api (in the bench's own venv, which
has no sigv4_dataapi) and prints one JSON line of phase timings. Standard
library and SQLAlchemy only at module level, so both interpreters can run it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

OBJECTS, UPDATES, GETS = 2_000, 200, 100


def make_engine(kind: str, cfg: dict[str, Any]) -> Any:
    if kind == "ours":
        from urllib.parse import quote

        from sigv4_dataapi import Credentials

        keys = ("resource_arn", "secret_arn", "region", "endpoint_url", "ca_file")
        query = "&".join(f"{k}={quote(str(cfg[k]), safe='')}" for k in keys)
        credentials = Credentials(cfg["key"], cfg["secret"])
        return create_engine(f"{cfg['backend']}+dataapi:///{cfg['database']}?{query}",
                             connect_args={"credentials": credentials})
    import boto3

    client = boto3.client("rds-data", endpoint_url=cfg["endpoint_url"], verify=cfg["ca_file"],
                          region_name=cfg["region"], aws_access_key_id=cfg["key"],
                          aws_secret_access_key=cfg["secret"])  # fmt: skip
    # SQLAlchemy's default 1,000 rows fit this narrow table; wider rows need a smaller page.
    return create_engine(f"{cfg['backend']}+auroradataapi://:@/{cfg['database']}",
                         insertmanyvalues_page_size=cfg["peer_page_size"],
                         connect_args={"aurora_cluster_arn": cfg["resource_arn"],
                                       "secret_arn": cfg["secret_arn"],
                                       "rds_data_client": client})  # fmt: skip


def main(kind: str, cfg: dict[str, Any]) -> dict[str, float]:
    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = cfg["table"]
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
        qty: Mapped[int]

    engine = make_engine(kind, cfg)
    Base.metadata.create_all(engine)
    phases: dict[str, float] = {}
    try:
        start = mark = time.perf_counter()

        def phase(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            phases[name] = now - mark
            mark = now

        with Session(engine) as session, session.begin():
            items = [Item(name=f"item {i}", qty=i) for i in range(OBJECTS)]
            session.add_all(items)
            session.flush()
            ids = [item.id for item in items]
        phase("insert")
        with Session(engine) as session:
            loaded = session.scalars(select(Item).order_by(Item.id)).all()
            assert len(loaded) == OBJECTS
        phase("select")
        with Session(engine) as session, session.begin():
            for item in session.scalars(select(Item).order_by(Item.id).limit(UPDATES)):
                item.qty += 1
                session.flush()
        phase("update")
        with Session(engine) as session:
            for key in ids[:GETS]:
                assert session.get(Item, key) is not None
        phase("get")
        phases["total"] = time.perf_counter() - start
    finally:
        Base.metadata.drop_all(engine)
        engine.dispose()
    return phases


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))
