import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import BuyerFactory, SellerFactory
from chat.enums import ChatRole, ChatType, MessageType
from chat.models import Chat, ChatParticipant, Message, MessageRead


def chat_participant_ensure(chat, user, role=ChatRole.MEMBER):
    """``user`` takes part in ``chat`` (added when missing)."""
    return ChatParticipant.objects.get_or_create(chat=chat, user=user, defaults={"role": role})[0]


class ChatFactory(DjangoModelFactory):
    """A direct chat between a buyer (who opened it) and a seller. ``participants=[...]`` gives the
    other members instead of the seller; the creator always takes part."""

    class Meta:
        model = Chat
        skip_postgeneration_save = True

    type = ChatType.DIRECT
    name = None
    created_by = factory.SubFactory(BuyerFactory)

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):
        if not create:
            return
        chat_participant_ensure(obj, obj.created_by, role=ChatRole.ADMIN)
        others = [SellerFactory()] if extracted is None else extracted
        for user in others:
            chat_participant_ensure(obj, user)


class ChatParticipantFactory(DjangoModelFactory):
    class Meta:
        model = ChatParticipant

    chat = factory.SubFactory(ChatFactory, participants=[])
    user = factory.SubFactory(BuyerFactory)
    role = ChatRole.MEMBER
    is_muted = False


class MessageFactory(DjangoModelFactory):
    """A text message from the chat's creator; the sender is made a participant if needed."""

    class Meta:
        model = Message

    chat = factory.SubFactory(ChatFactory)
    sender = factory.SelfAttribute("chat.created_by")
    type = MessageType.TEXT
    content = factory.Faker("sentence")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        chat_participant_ensure(kwargs["chat"], kwargs["sender"])
        return super()._create(model_class, *args, **kwargs)


def _other_participant(message):
    other = (
        ChatParticipant.objects.filter(chat_id=message.chat_id)
        .exclude(user_id=message.sender_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return other.user if other is not None else BuyerFactory()


class MessageReadFactory(DjangoModelFactory):
    """A message read by another participant of its chat (made a participant if needed)."""

    class Meta:
        model = MessageRead

    message = factory.SubFactory(MessageFactory)
    user = factory.LazyAttribute(lambda o: _other_participant(o.message))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        chat_participant_ensure(kwargs["message"].chat, kwargs["user"])
        return super()._create(model_class, *args, **kwargs)
