"""Smoke tests of the real moving parts: a Celery worker process and the Channels Redis layer."""

import uuid

import pytest
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator
from django.db import connection

from gogomarket.asgi import application
from gogomarket.core.models import AuditLog
from gogomarket.core.tasks import record_ping
from tests.helpers import celery_worker


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_runs_a_task_that_writes_to_the_database():
    with celery_worker(connection.settings_dict) as queue:
        marker = uuid.uuid4().hex
        result = record_ping.apply_async(args=[marker], queue=queue)
        entry_id = result.get(timeout=60)
        entry = AuditLog.objects.get(pk=entry_id)
        assert entry.action == "system.ping"
        assert entry.new_values == {"marker": marker}


@pytest.mark.django_db(transaction=True)
async def test_websocket_ping_goes_through_the_redis_channel_layer():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping", "payload": "salom"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong", "payload": "salom"}

    # A message sent to the group by another process (here: the layer directly) reaches the socket.
    layer = get_channel_layer()
    assert layer.__class__.__name__ == "RedisChannelLayer"
    await layer.group_send("ping", {"type": "ping.reply", "payload": "from-group"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong", "payload": "from-group"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_refuses_a_foreign_origin():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"origin", b"http://evil.example")])
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_websocket_answers_bad_input_with_an_error_message():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"origin", b"http://127.0.0.1")])
    await communicator.connect()
    await communicator.send_json_to({"type": "shout"})
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "error"
    await communicator.disconnect()
