"""Websocket routes of every app. Apps add their own patterns here as they arrive."""

from django.urls import path

from gogomarket.core.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
