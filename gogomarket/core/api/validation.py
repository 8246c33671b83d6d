"""Input checking shared by the API views of every app."""


def validated(serializer_class, data, **kwargs):
    """``data`` checked by an input serializer: its ``validated_data``, or a 400 naming the fields
    (``serializers.ValidationError``, turned into ``{field: [messages]}`` by the exception handler)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
