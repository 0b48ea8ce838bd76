"""Persons are not enumerable: found only by full name + full ID number, only while something is
public, at an unguessable address that is never indexed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_record, make_subject
from xinyong import subjects
from xinyong.enums import SubjectKind


def _persons(client: TestClient, q: str) -> list[str]:
    body = client.get("/api/v1/subjects", params={"q": q}).json()
    return [i["ref"] for i in body["items"] if i["kind"] == "person"]


def test_a_bare_id_number_or_a_one_character_name_lists_no_person(
    client: TestClient, session: Session
) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="钱多多")
    make_record(session, person)  # something public: the person exists on public surfaces
    assert _persons(client, person.code) == []
    assert _persons(client, "钱") == []
    assert _persons(client, "钱多多") == []  # a full name alone is not enough either
    assert _persons(client, f"钱多 {person.code}") == []  # nor a partial name
    assert _persons(client, f"钱多多 {person.code}") == [subjects.public_ref(person)]
    page = client.get("/search", params={"q": person.code})
    assert page.status_code == 200
    assert subjects.public_ref(person) not in page.text
    found = client.get("/search", params={"q": f"钱多多 {person.code}"})
    assert subjects.public_ref(person) in found.text


def test_a_person_with_nothing_public_is_neither_found_nor_shown(
    client: TestClient, session: Session
) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="孙无事")
    ref = subjects.public_ref(person)
    assert _persons(client, f"孙无事 {person.code}") == []
    for path in (f"/subjects/{ref}", f"/subjects/{ref}/card", f"/api/v1/subjects/{ref}"):
        assert client.get(path).status_code == 404, path
    make_record(session, person)
    assert client.get(f"/subjects/{ref}").status_code == 200


def test_the_person_page_is_unguessable_and_never_indexed(
    client: TestClient, session: Session
) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="周有罚")
    make_record(session, person)
    ref = subjects.public_ref(person)
    assert ref.startswith("p")
    assert str(person.id) != ref[1:]
    assert len(ref) > 24  # a random token, not a sequence number
    for old in (f"p{person.id}", person.code):  # the sequential address, the ID number
        for path in (f"/subjects/{old}", f"/api/v1/subjects/{old}"):
            assert client.get(path).status_code == 404, path
    page = client.get(f"/subjects/{ref}")
    assert page.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    card = client.get(f"/subjects/{ref}/card")
    assert 'content="noindex' in card.text
    assert client.get(f"/api/v1/subjects/{ref}").json()["ref"] == ref
    company = make_subject(session)
    assert "noindex" not in client.get(f"/subjects/{company.code}").text
