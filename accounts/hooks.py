"""What accounts announce to the apps above them (fired after commit, with ids; see
``gogomarket.core.hooks``). Listeners register in their ``AppConfig.ready()``.

* ``account_changed(user_id, fields)``: profile_update, avatar_set, user_staff_update,
  user_soft_delete (``fields``: the names that changed; ``deleted_at`` for a closed account).
  Listener: catalog rebuilds the seller's cached pages.
* ``account_created(user_id)``: user_create (sign-up, staff, seed).
* ``signed_in(user_id, session_id)``: browser_session_start, api_session_create.
* ``password_changed(user_id)``: password_change, password_reset_complete.
"""

from gogomarket.core.hooks import Hook

account_changed = Hook("account_changed", ["user_id", "fields"])
account_created = Hook("account_created", ["user_id"])
signed_in = Hook("signed_in", ["user_id", "session_id"])
password_changed = Hook("password_changed", ["user_id"])

# Fields whose change moves a person's things onto or off the storefront (a seller suspended,
# closed, or made a buyer): every list that may show their products is rebuilt.
VISIBILITY_FIELDS = frozenset({"status", "role", "deleted_at"})
