"""create_async_engine + AsyncSession over ``dbapi.connect_async`` (issue 11)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import ForeignKey, String, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

from tests.dialect.conftest import unique


def make_models() -> Any:
    suffix = unique("as")

    class Base(DeclarativeBase):
        pass

    class Team(Base):
        __tablename__ = f"team_{suffix}"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50), unique=True)
        members: Mapped[list[Member]] = relationship(back_populates="team")

    class Member(Base):
        __tablename__ = f"member_{suffix}"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
        team_id: Mapped[int] = mapped_column(ForeignKey(Team.id))
        team: Mapped[Team] = relationship(back_populates="members")

    return Base, Team, Member


async def _scenario(engine: Any, backend: str) -> None:
    base, Team, Member = make_models()
    async with engine.begin() as conn:
        await conn.run_sync(base.metadata.create_all)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions() as session, session.begin():
            teams = [Team(name=f"t{i}") for i in range(5)]
            session.add_all(teams + [Member(name=f"m{i}", team=teams[i % 5])
                                     for i in range(500)])  # fmt: skip
        assert all(team.id for team in teams)
        async with sessions() as session:
            rows = (await session.execute(
                select(Team.name, func.count(Member.id)).join(Team.members)
                .group_by(Team.name).order_by(Team.name))).all()  # fmt: skip
            assert [tuple(r) for r in rows] == [(f"t{i}", 100) for i in range(5)]
            team = (await session.scalars(select(Team).where(Team.name == "t3")
                                          .options(selectinload(Team.members)))).one()  # fmt: skip
            assert len(team.members) == 100
        with pytest.raises(IntegrityError):
            async with sessions() as session, session.begin():
                session.add(Team(name="t0"))
        async with engine.connect() as conn:
            if backend == "postgresql":  # the DB-API's streaming cursor, awaited page by page
                result = await conn.stream(select(Member.id).order_by(Member.id))
                ids = [row.id async for row in result]
            else:
                ids = list((await conn.execute(select(Member.id).order_by(Member.id))).scalars())
            assert len(ids) == 500 and ids == sorted(ids)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(base.metadata.drop_all)
        await engine.dispose()


def test_async_engine_and_session(async_engine: Any, backend: str) -> None:
    asyncio.run(_scenario(async_engine, backend))


def test_async_session_is_an_asyncsession(async_engine: Any) -> None:
    async def check() -> None:
        async with AsyncSession(async_engine) as session:
            assert (await session.execute(text("SELECT 2"))).scalar_one() == 2
        await async_engine.dispose()

    asyncio.run(check())
