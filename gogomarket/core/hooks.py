"""After-commit hooks: how a lower app tells the apps above it that something happened.

The layer order (README "Layers") lets domain code import only downward, so orders may not call
finance, nor accounts call catalog. Instead the lower app owns a few ``Hook`` objects
(``orders.hooks.order_delivered``, ``accounts.hooks.account_changed`` ...) and fires them with
ids; an upper app registers its listener in its ``AppConfig.ready()``::

    # finance/apps.py
    def ready(self):
        from orders import hooks
        hooks.order_delivered.register(commission_record_for_order)

A hook fired inside a transaction runs its listeners once that transaction commits (never for a
change that rolled back), each listener on its own: one that fails is logged and the others
still run, because the change they react to is already committed. A listener that must not be
lost also has a sweep that finds what it missed (e.g. ``earnings_release`` records commissions
of delivered orders that have none). Listeners take ids, not objects: they read what they need,
as it is after the commit. Not Django signals: a hook has a name, fixed arguments and a list of
listeners that is the same in every process (registered at start-up), and firing it is a plain
call that a reader can follow.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

# Tests set this (conftest.py) so that a failing listener fails the test instead of being logged.
RAISE_ERRORS = False


class Hook:
    def __init__(self, name, args, doc=""):
        self.name = name
        self.args = tuple(args)
        self.__doc__ = doc
        self.listeners = []

    def __repr__(self):
        return f"<Hook {self.name}({', '.join(self.args)}): {len(self.listeners)} listeners>"

    def register(self, listener):
        """Add ``listener(**args)``; registering the same function twice keeps one."""
        if listener not in self.listeners:
            self.listeners.append(listener)
        return listener

    def unregister(self, listener):
        if listener in self.listeners:
            self.listeners.remove(listener)

    def fire(self, **kwargs):
        """Run the listeners with ``kwargs`` once the current transaction commits (at once when
        there is none)."""
        if set(kwargs) != set(self.args):
            raise TypeError(f"hook {self.name} takes {sorted(self.args)}, got {sorted(kwargs)}")
        if self.listeners:
            transaction.on_commit(lambda: self.run(**kwargs))

    def run(self, **kwargs):
        for listener in list(self.listeners):
            try:
                listener(**kwargs)
            except Exception:
                if RAISE_ERRORS:
                    raise
                logger.exception("hook %s: listener %s failed for %s", self.name, _name(listener), kwargs)


def _name(listener):
    return f"{getattr(listener, '__module__', '?')}.{getattr(listener, '__qualname__', listener)}"
