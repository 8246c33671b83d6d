"""After-commit hooks (gogomarket.core.hooks): listeners run once the change commits, never for a
change that rolled back, each on its own."""

import pytest
from django.db import transaction

from gogomarket.core import hooks
from gogomarket.core.hooks import Hook

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    return []


def test_listeners_run_after_the_commit_with_the_ids(heard):
    hook = Hook("thing_done", ["thing_id"])
    hook.register(lambda thing_id: heard.append(("first", thing_id)))
    hook.register(lambda thing_id: heard.append(("second", thing_id)))

    with transaction.atomic():
        hook.fire(thing_id=7)
        assert heard == []  # not inside the transaction that caused it

    assert heard == [("first", 7), ("second", 7)]


def test_a_rolled_back_change_announces_nothing(heard):
    hook = Hook("thing_done", ["thing_id"])
    hook.register(lambda thing_id: heard.append(thing_id))

    with pytest.raises(RuntimeError), transaction.atomic():
        hook.fire(thing_id=1)
        raise RuntimeError("the change failed")

    assert heard == []


def test_outside_a_transaction_listeners_run_at_once(heard):
    hook = Hook("thing_done", ["thing_id"])
    hook.register(lambda thing_id: heard.append(thing_id))

    hook.fire(thing_id=3)

    assert heard == [3]


def test_a_failing_listener_is_logged_and_the_others_still_run(heard, monkeypatch, caplog):
    monkeypatch.setattr(hooks, "RAISE_ERRORS", False)  # production behaviour (tests raise)
    hook = Hook("thing_done", ["thing_id"])

    def broken(thing_id):
        raise ValueError("listener bug")

    hook.register(broken)
    hook.register(lambda thing_id: heard.append(thing_id))

    with transaction.atomic():
        hook.fire(thing_id=5)

    assert heard == [5]
    assert "hook thing_done: listener" in caplog.text and "broken" in caplog.text


def test_a_hook_takes_exactly_its_arguments_and_a_listener_once(heard):
    hook = Hook("thing_done", ["thing_id"])

    def listener(thing_id):
        heard.append(thing_id)

    hook.register(listener)
    hook.register(listener)
    with pytest.raises(TypeError):
        hook.fire(thing=1)
    with pytest.raises(TypeError):
        hook.fire(thing_id=1, extra=2)

    hook.fire(thing_id=1)
    assert heard == [1]


def test_the_apps_register_their_listeners_at_start_up():
    """Upper apps listen to lower apps' hooks from their AppConfig.ready(), not from imports."""
    from accounts import hooks as accounts_hooks
    from catalog.cache import account_changed
    from finance.services import earnings
    from orders import hooks as orders_hooks

    assert account_changed in accounts_hooks.account_changed.listeners
    assert earnings.commission_record_for_order in orders_hooks.order_delivered.listeners
    assert earnings.commission_cancel_for_order in orders_hooks.order_cancelled.listeners
    assert earnings.commission_cancel_for_order in orders_hooks.order_refunded.listeners
