"""ORM end to end on PostgreSQL and MariaDB through the local endpoint (issue 11)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from tests.dialect.conftest import Statements, unique

SQL_LIMIT = 65_536
REQUEST_LIMIT = 4 * 1024 * 1024


def make_models() -> Any:
    """Fresh declarative classes on unique table names (other runs share the databases)."""
    suffix = unique("t")

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = f"author_{suffix}"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(100), unique=True)
        books: Mapped[list[Book]] = relationship(back_populates="author")

    class Book(Base):
        __tablename__ = f"book_{suffix}"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(String(200))
        pages: Mapped[int]
        body: Mapped[str | None] = mapped_column(Text)
        version: Mapped[int] = mapped_column(nullable=False)
        author_id: Mapped[int] = mapped_column(ForeignKey(Author.id))
        author: Mapped[Author] = relationship(back_populates="books")
        __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    return Base, Author, Book


@pytest.fixture
def models(engine: Any) -> Any:
    base, author, book = make_models()
    base.metadata.create_all(engine)
    yield author, book
    base.metadata.drop_all(engine)


def test_add_all_of_thousands_gets_keys_under_the_sql_limit(engine: Any, models: Any) -> None:
    Author, Book = models
    # A page size that would build one 3,000-row INSERT well over 65,536 characters.
    bind = engine.execution_options(insertmanyvalues_page_size=10_000)
    statements = Statements(engine)
    with Session(bind) as session, session.begin():
        authors = [Author(name=f"author {i}") for i in range(30)]
        books = [Book(title=f"title {i} ✓", pages=i, author=authors[i % 30]) for i in range(3000)]
        session.add_all(authors + books)
        session.flush()
        ids = [book.id for book in books]
    assert None not in ids and len(set(ids)) == 3000
    inserts = [sql for sql in statements.sql if sql.startswith(f"INSERT INTO {Book.__tablename__}")]
    assert len(inserts) >= 2, "3,000 rows cannot fit one statement under the limit"
    assert max(map(len, inserts)) < SQL_LIMIT
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Book)) == 3000
        stored = session.scalars(select(Book.id).order_by(Book.id)).all()
        assert stored == sorted(ids)


def test_bulk_add_of_large_rows_is_paged_under_the_request_limit(engine: Any, models: Any) -> None:
    Author, Book = models
    statements = Statements(engine)
    body = "x" * 60_000 + "é"
    with Session(engine) as session, session.begin():
        author = Author(name="big")
        session.add_all([author] + [Book(title=str(i), pages=i, body=body, author=author)
                                    for i in range(150)])  # fmt: skip
    batches = [(sql, params) for sql, params, _ in statements.seen
               if sql.startswith(f"INSERT INTO {Book.__tablename__}")]  # fmt: skip
    assert len(batches) >= 3  # 9 MB of text: at least three requests under 4 MiB
    for sql, params in batches:
        size = len(sql) + sum(len(str(v).encode()) for v in _values(params))
        assert size < REQUEST_LIMIT
    with Session(engine) as session:
        lengths = session.scalars(select(func.char_length(Book.body))).all()
        assert lengths == [60_001] * 150


def _values(params: Any) -> list[Any]:
    rows = params if isinstance(params, list) else [params]
    return [value for row in rows for value in (row.values() if isinstance(row, dict) else row)]


def test_queries_join_aggregate_paginate(engine: Any, models: Any) -> None:
    Author, Book = models
    with Session(engine) as session, session.begin():
        for a in range(3):
            author = Author(name=f"a{a}")
            session.add_all([Book(title=f"b{a}-{b}", pages=10 * a + b, author=author)
                             for b in range(a + 2)])  # fmt: skip
    with Session(engine) as session:
        counts = session.execute(
            select(Author.name, func.count(Book.id), func.sum(Book.pages))
            .join(Author.books).group_by(Author.name).order_by(Author.name)
        ).all()  # fmt: skip
        assert [tuple(r) for r in counts] == [("a0", 2, 1), ("a1", 3, 33), ("a2", 4, 86)]
        page = session.scalars(select(Book.title).order_by(Book.pages).limit(3).offset(2)).all()
        assert page == ["b1-0", "b1-1", "b1-2"]
        books = session.scalars(select(Book).join(Book.author).where(Author.name == "a2")).all()
        assert {book.author.name for book in books} == {"a2"} and len(books) == 4


def test_update_delete_and_rollback_on_exception(engine: Any, models: Any) -> None:
    Author, Book = models
    with Session(engine) as session, session.begin():
        author = Author(name="w")
        session.add_all([Book(title="keep", pages=1, author=author),
                         Book(title="drop", pages=2, author=author)])  # fmt: skip
    with Session(engine) as session, session.begin():
        keep = session.scalars(select(Book).where(Book.title == "keep")).one()
        keep.pages = 100
        author_id = keep.author_id
        session.delete(session.scalars(select(Book).where(Book.title == "drop")).one())
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        session.add(Book(title="never", pages=3, author_id=author_id))
        session.flush()
        raise RuntimeError("abort")
    with Session(engine) as session:
        rows = session.execute(select(Book.title, Book.pages, Book.version)).all()
        assert [tuple(r) for r in rows] == [("keep", 100, 2)]


def test_version_id_col_detects_a_concurrent_update(engine: Any, models: Any) -> None:
    Author, Book = models
    with Session(engine) as session, session.begin():
        session.add(Book(title="v", pages=1, author=Author(name="v")))
    first, second = Session(engine), Session(engine)
    try:
        mine = first.scalars(select(Book)).one()
        theirs = second.scalars(select(Book)).one()
        mine.pages = 2
        first.commit()
        theirs.pages = 3
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()


def test_duplicate_key_raises_integrity_error(engine: Any, models: Any) -> None:
    Author, _ = models
    with Session(engine) as session, session.begin():
        session.add(Author(name="same"))
    with pytest.raises(IntegrityError) as raised, Session(engine) as session, session.begin():
        session.add(Author(name="same"))
    assert type(raised.value.orig).__name__ == "IntegrityError"
    assert raised.value.orig.sqlstate == "23505" or raised.value.orig.errno == 1062
