"""Keep-alive connections are recycled after a set number of requests (off by default)."""

from __future__ import annotations

from service_support import NATIVE, native, service, sparse_certificate


def _connection_headers(max_requests: int, requests: int) -> list[str | None]:
    """The ``connection`` header of each answer on one client connection (the test client
    always reports the same client address, as one keep-alive connection would)."""
    client = service(max_requests_per_connection=max_requests)
    body = native(sparse_certificate())
    answers = []
    for index in range(requests):
        response = client.post("/check", content=body, headers=NATIVE) if index % 2 else client.get("/health")
        assert response.status_code == 200
        answers.append(response.headers.get("connection"))
    return answers


def test_every_nth_answer_on_a_connection_asks_the_client_to_reconnect() -> None:
    assert _connection_headers(3, 7) == [None, None, "close", None, None, "close", None]


def test_connections_are_kept_open_by_default() -> None:
    assert _connection_headers(0, 5) == [None] * 5
