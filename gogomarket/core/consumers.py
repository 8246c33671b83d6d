from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Liveness of the websocket stack: a ``ping`` goes out through the Redis channel layer and
    comes back as ``pong``, so a reply proves Channels, the layer and Redis all work."""

    group_name = "ping"

    async def connect(self):
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "message": 'send {"type": "ping"}'})
            return
        await self.channel_layer.send(self.channel_name, {"type": "ping.reply", "payload": content.get("payload")})

    async def ping_reply(self, event):
        await self.send_json({"type": "pong", "payload": event.get("payload")})
