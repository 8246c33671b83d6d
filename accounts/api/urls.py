"""/api/v1/ routes of accounts: auth/... and me/... (mounted by gogomarket/urls.py)."""

urlpatterns = []
